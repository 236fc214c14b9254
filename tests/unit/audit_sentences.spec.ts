import { test } from '@japa/runner'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/*
| Every action the code audits reads as a sentence in both languages: the
| action codes are collected from the source (audit entries and the helpers
| that write them), so a new code without a sentence fails here.
*/

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })
}

const CODE = /^[a-z_]+(\.[a-z_A-Z]+)+$/

export function auditedActions(root = 'app') {
  const codes = new Set<string>()
  for (const file of sources(root)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/action:\s*'([^']+)'/g)) codes.add(m[1])
    // The helpers that audit on a controller's behalf: act(ctx, 'code', …), guard(ctx, 'ability', 'code'), save(ctx, …, 'code'), audited(ctx, { action: 'code' }).
    for (const m of text.matchAll(
      /\b(?:act|guard|save|refusable)\(\s*ctx,[^;]*?'([a-z_]+\.[a-z_.]+)'/gs
    ))
      codes.add(m[1])
    // Codes made from an ability: exam.<ability> (only those not already allowed), reading.<ability>.
    if (text.includes('action: `exam.${ability}`')) codes.add('exam.upload')
    if (text.includes('action: `reading.${ability}`'))
      ['reading.read', 'reading.maintainTemplates', 'reading.configure'].forEach((c) =>
        codes.add(c)
      )
  }
  return [...codes].filter((c) => CODE.test(c) && !c.startsWith('test.')).sort()
}

const lang = (locale: string) =>
  JSON.parse(readFileSync(`resources/lang/${locale}/audit.json`, 'utf8')).sentences as Record<
    string,
    string
  >

test.group('Audit log sentences', () => {
  test('every action code the application writes has a sentence in zh-CN and in English', ({
    assert,
  }) => {
    const codes = auditedActions()
    assert.isAbove(codes.length, 60)
    for (const locale of ['zh-CN', 'en']) {
      const sentences = lang(locale)
      const missing = codes.filter((code) => !sentences[code.replace(/\./g, '_')])
      assert.deepEqual(missing, [], `${locale}: action codes without a sentence`)
    }
  })
})

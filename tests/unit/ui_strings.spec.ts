import { test } from '@japa/runner'
import { readFileSync, readdirSync } from 'node:fs'

/*
| Issue 9, points 6 and 7, for every string at once: no clause number in a
| message a nurse reads (they stay in code comments and docs), no Chinese in
| the English strings (except the MRI planes as the Chinese report writes
| them), and both languages with the same keys.
*/
function flat(value: unknown, prefix = ''): Array<[string, string]> {
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => flat(v, prefix ? `${prefix}.${k}` : k))
  return [[prefix, String(value)]]
}
const strings = (locale: string) =>
  readdirSync(`resources/lang/${locale}`)
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) =>
      flat(JSON.parse(readFileSync(`resources/lang/${locale}/${file}`, 'utf8'))).map(
        ([k, v]) => [`${file.replace('.json', '')}.${k}`, v] as const
      )
    )

const CLAUSE = /\b[CRQH] ?\d+(\.\d+)+[a-z]?\b|[（(][BCRQH][）)]|[（(]B[;；]/

test.group('UI strings', () => {
  test('no user-facing message quotes a clause number', ({ assert }) => {
    for (const locale of ['zh-CN', 'en']) {
      const quoting = strings(locale).filter(([, v]) => CLAUSE.test(v))
      assert.deepEqual(quoting, [], locale)
    }
  })

  test('the English strings are English', ({ assert }) => {
    const chinese = strings('en').filter(
      ([k, v]) => /[\p{Script=Han}（），、：]/u.test(v) && !/^reading\.planes\.\w+\.report$/.test(k)
    )
    assert.deepEqual(chinese, [])
  })

  test('both languages have the same keys', ({ assert }) => {
    const zh = new Set(strings('zh-CN').map(([k]) => k))
    const en = new Set(strings('en').map(([k]) => k))
    assert.deepEqual(
      [...zh].filter((k) => !en.has(k)),
      [],
      'missing in English'
    )
    assert.deepEqual(
      [...en].filter((k) => !zh.has(k)),
      [],
      'missing in Chinese'
    )
  })
})

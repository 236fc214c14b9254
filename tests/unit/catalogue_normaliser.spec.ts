import { test } from '@japa/runner'
import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import { normaliseItem, normaliseModality } from '#app/catalogue/catalogue_normaliser'
import { parseCsv } from '#app/platform/csv'

test.group('Exam-item catalogue normalisation (R 7.2)', () => {
  test('MR and MRI are one modality', ({ assert }) => {
    assert.equal(normaliseModality('MRI'), 'MR')
    assert.equal(normaliseModality('mr'), 'MR')
    assert.equal(normaliseModality('DR'), 'DR')
    assert.isNull(normaliseModality('US'))
  })

  test('{source} → {expected}')
    .with([
      {
        modality: 'DR',
        source: '胸部站立后前位及侧位摄影',
        expected: 'DR 胸部 摄影 站立后前位+侧位',
      },
      { modality: 'DR', source: '胸部(婴幼儿)正位摄影', expected: 'DR 胸部(婴幼儿) 摄影 正位' },
      { modality: 'DR', source: '立位腹部平片', expected: 'DR 腹部 摄影 立位' },
      { modality: 'DR', source: '双乳轴斜位钼靶', expected: 'DR 双乳 钼靶摄影 轴斜位' },
      { modality: 'CT', source: '头部 CT 增强扫描', expected: 'CT 头部 增强' },
      { modality: 'CT', source: '上腹部平扫+增强（三期扫描）', expected: 'CT 上腹部 平扫+增强' },
      { modality: 'CT', source: '冠脉 CTA', expected: 'CT 冠脉 CTA' },
      { modality: 'MRI', source: '骶尾椎 MRI 平扫', expected: 'MR 骶尾椎 平扫' },
      {
        modality: 'MR',
        source: '颈部平扫（T1WI、T2WI / Tra、Cor）',
        expected: 'MR 颈部 平扫 Tra/Cor',
      },
      { modality: 'MR', source: '颅脑 MRA（增强）', expected: 'MR 颅脑 增强MRA' },
    ])
    .run(({ assert }, row) => {
      assert.equal(normaliseItem(row.modality, row.source)?.name, row.expected)
    })

  test('contrast items are told apart from plain ones (they are staffed differently, C 7.1.1)', ({
    assert,
  }) => {
    assert.isTrue(normaliseItem('CT', '胸部 CT 增强扫描')!.isContrast)
    assert.isTrue(normaliseItem('CT', '头颈部 CTA')!.isContrast)
    assert.isFalse(normaliseItem('CT', '胸部 CT 平扫')!.isContrast)
    assert.isFalse(normaliseItem('MR', '颅脑 MRA')!.isContrast)
  })

  test('every row of both catalogues gets all four parts, except the nameless Hechi row', async ({
    assert,
  }) => {
    const counts: Record<string, number> = {}
    for (const [file, expected] of [
      ['chuanyu', 141],
      ['hechi', 51],
    ] as const) {
      const rows = parseCsv(
        await readFile(app.makePath(`database/data/${file}-recognition-items.csv`), 'utf8')
      )
      const items = rows.map((row) => normaliseItem(row.modality, row.item_name)).filter(Boolean)
      assert.lengthOf(items, expected)
      for (const item of items) {
        assert.isAbove(item!.bodyPart.length, 0)
        assert.notMatch(item!.bodyPart, /CT|MRI?|摄影|平扫|增强/)
        assert.include(['DR', 'CT', 'MR'], item!.modality)
        counts[`${file}:${item!.modality}`] = (counts[`${file}:${item!.modality}`] ?? 0) + 1
      }
    }
    // R: DR 66, CT 49, MR 26 (23 "MR" + 3 "MRI").
    assert.deepInclude(counts, { 'chuanyu:DR': 66, 'chuanyu:CT': 49, 'chuanyu:MR': 26 })
  })
})

import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  ageLabel,
  cleanContent,
  comparisonRefusal,
  contentChanged,
  contentRefusal,
  dateSpellings,
  diffText,
  editRefusal,
  normaliseContent,
  parseMriTechnique,
  signRefusal,
  type Doctor,
  type PriorExam,
  type ReportContent,
} from '#app/reading/services/report_rules'
import {
  durationParts,
  limitFrom,
  STANDARD_LIMITS,
  timeLeft,
} from '#app/reading/services/turnaround'
import { templateFits } from '#app/reading/services/templates'
import { parseCursor } from '#app/reading/services/reading_queue'

const report = (extra: Partial<ReportContent> = {}): ReportContent =>
  cleanContent({
    technique: 'DR 胸部站立后前位摄影',
    findings: '双肺纹理清晰。',
    impression: '心肺未见异常。',
    ...extra,
  })

test.group('MRI technique (B: "方位：序列，序列；方位：…")', () => {
  test('accepts the standard form and rewrites ASCII punctuation into it', ({ assert }) => {
    const parsed = parseMriTechnique('横断位: T1WI, T2WI, FLAIR、DWI; 矢状位: T1WI+C')
    assert.isTrue(parsed.ok)
    if (parsed.ok) {
      assert.equal(parsed.normalised, '横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T1WI+C')
      assert.deepEqual(
        parsed.planes.map((p) => p.plane),
        ['横断位', '矢状位']
      )
      assert.deepEqual(parsed.planes[0].sequences, ['T1WI', 'T2WI', 'FLAIR', 'DWI'])
    }
  })

  test('allows a scan-range segment and oblique planes', ({ assert }) => {
    const parsed = parseMriTechnique('扫描范围：颅顶-颅底；横断位：T1WI，T2WI；斜冠状位：T2WI-FS')
    assert.isTrue(parsed.ok)
  })

  test('refuses what is not in the form: {text}')
    .with([
      { text: '', reason: 'empty' },
      { text: 'T1WI T2WI FLAIR', reason: 'no_plane' },
      { text: '横断位：', reason: 'sequence' },
      { text: 'T1WI：横断位', reason: 'plane' },
      { text: '扫描范围：颅顶-颅底', reason: 'no_plane' },
      { text: '横断位：T1WI：T2WI', reason: 'sequence' },
    ])
    .run(({ assert }, row) => {
      const parsed = parseMriTechnique(row.text)
      assert.isFalse(parsed.ok)
      if (!parsed.ok) assert.equal(parsed.reason, row.reason)
    })
})

test.group('What a report must contain (B)', () => {
  test('technique, findings and impression are required; MRI technique must be in form', ({
    assert,
  }) => {
    assert.isNull(contentRefusal('DR', report()))
    assert.equal(contentRefusal('DR', report({ technique: '  ' }))!.code, 'technique_missing')
    assert.equal(contentRefusal('DR', report({ findings: '无' }))!.code, 'findings_missing')
    assert.equal(contentRefusal('DR', report({ impression: null }))!.code, 'impression_missing')
    assert.equal(contentRefusal('MR', report({ technique: 'T2WI' }))!.code, 'mri_technique_format')
    assert.isNull(contentRefusal('MR', report({ technique: '矢状位：T1WI，T2WI' })))
    assert.equal(
      normaliseContent('MR', report({ technique: '矢状位:T1WI,T2WI' })).technique,
      '矢状位：T1WI，T2WI'
    )
    assert.equal(
      normaliseContent('CT', report({ technique: '横断位:平扫' })).technique,
      '横断位:平扫'
    )
  })

  test('whitespace is nothing written, and a change is any field that differs', ({ assert }) => {
    assert.isNull(cleanContent({ findings: ' \n ' }).findings)
    assert.isFalse(contentChanged(report(), report()))
    assert.isTrue(contentChanged(report(), report({ impression: '心肺未见明确异常。' })))
  })
})

test.group('Comparison with prior exams (B; Q 4.2.5e)', () => {
  const prior: PriorExam = {
    id: 7,
    examDate: DateTime.fromISO('2026-10-01'),
    modality: 'CT',
    name: 'CT 胸部平扫',
  }
  const older: PriorExam = {
    id: 3,
    examDate: DateTime.fromISO('2025-03-09'),
    modality: 'CT',
    name: 'CT 胸部平扫',
  }

  test('no prior, no comparison needed', ({ assert }) => {
    assert.isNull(comparisonRefusal([], report()))
  })

  test('a prior requires a comparison naming its date, in any usual spelling', ({ assert }) => {
    assert.equal(comparisonRefusal([prior], report())!.code, 'comparison_required')
    assert.equal(
      comparisonRefusal([prior], report({ comparison: '与前片比较，病灶吸收。' }))!.code,
      'comparison_date_missing'
    )
    for (const spelling of [
      '2026-10-01',
      '2026年10月1日',
      '2026 年 10 月 01 日',
      '2026/10/01',
      '2026.10.1',
    ]) {
      assert.isNull(
        comparisonRefusal([prior], report({ comparison: `与${spelling}CT片比较，病灶吸收。` })),
        spelling
      )
    }
  })

  test("the chosen prior's date must be the one named", ({ assert }) => {
    assert.equal(
      comparisonRefusal(
        [prior, older],
        report({ priorExamId: older.id, comparison: '与2026-10-01片比较' })
      )!.code,
      'comparison_date_missing'
    )
    assert.isNull(
      comparisonRefusal(
        [prior, older],
        report({ priorExamId: older.id, comparison: '与2025-03-09片比较' })
      )
    )
    assert.equal(
      comparisonRefusal([prior], report({ priorExamId: 999, comparison: '与2026-10-01片比较' }))!
        .code,
      'prior_unknown'
    )
  })

  test('a stated reason stands in for the comparison when the prior cannot be compared', ({
    assert,
  }) => {
    assert.isNull(
      comparisonRefusal([prior], report({ noComparisonReason: '前片为外院胶片，无法调阅' }))
    )
    assert.equal(
      comparisonRefusal([prior], report({ noComparisonReason: '无' }))!.code,
      'comparison_required'
    )
  })

  test('date spellings include the zero-padded and the plain forms', ({ assert }) => {
    const spellings = dateSpellings(DateTime.fromISO('2026-03-05'))
    for (const s of ['2026-03-05', '2026-3-5', '2026年3月5日', '2026年03月05日', '20260305'])
      assert.include(spellings, s)
  })
})

test.group('Who may sign and who may edit (C 4.2.1, C 9.2.3, B)', () => {
  const junior: Doctor = { id: 1, role: 'radiologist', title: 'junior', isReader: true }
  const mid: Doctor = { id: 2, role: 'radiologist', title: 'intermediate', isReader: true }
  const senior: Doctor = { id: 3, role: 'radiologist', title: 'senior', isReader: true }
  const outsider: Doctor = { id: 4, role: 'radiologist', title: 'senior', isReader: false }
  const off = { singleSignature: false }
  const on = { singleSignature: true }
  const submittedBy = (authorId: number, lastModifiedById = authorId) => ({
    status: 'pending_review' as const,
    authorId,
    lastModifiedById,
  })
  const draftBy = (authorId: number) => ({
    status: 'draft' as const,
    authorId,
    lastModifiedById: authorId,
  })

  test('the double review, case by case', ({ assert }) => {
    const code = (...args: Parameters<typeof signRefusal>) => signRefusal(...args)?.code ?? null
    assert.isNull(code(mid, submittedBy(junior.id), off))
    assert.isNull(code(senior, submittedBy(mid.id), off))
    assert.equal(code(junior, submittedBy(mid.id), off), 'junior_cannot_sign')
    assert.equal(code(mid, submittedBy(mid.id), off), 'own_report')
    assert.equal(code(outsider, submittedBy(junior.id), off), 'not_a_reader')
    assert.equal(
      code(mid, { status: 'signed', authorId: 1, lastModifiedById: 1 }, off),
      'already_signed'
    )
    assert.equal(code(mid, draftBy(junior.id), off), 'not_submitted')
    assert.equal(code(mid, draftBy(mid.id), off), 'not_submitted')
  })

  test('single signature lets a 中级+ author sign their own draft, never a junior', ({
    assert,
  }) => {
    assert.isNull(signRefusal(mid, draftBy(mid.id), on))
    assert.isNull(signRefusal(mid, submittedBy(mid.id), on))
    assert.equal(signRefusal(junior, draftBy(junior.id), on)!.code, 'junior_cannot_sign')
    assert.equal(signRefusal(senior, draftBy(mid.id), on)!.code, 'not_submitted')
  })

  test('B: the signer must be the last person who modified the report', ({ assert }) => {
    // Another reviewer edited it last: this reviewer may sign only by editing it (becoming the last modifier).
    assert.equal(
      signRefusal(senior, submittedBy(junior.id, mid.id), off)!.code,
      'modified_by_other'
    )
    assert.isNull(signRefusal(senior, submittedBy(junior.id, mid.id), off, senior.id))
    assert.isNull(signRefusal(mid, submittedBy(junior.id, mid.id), off))
  })

  test('editing: the claim holder while drafting, a 中级+ reviewer while in review, nobody once signed', ({
    assert,
  }) => {
    const code = (...args: Parameters<typeof editRefusal>) => editRefusal(...args)?.code ?? null
    assert.isNull(code(junior, draftBy(junior.id), junior.id))
    assert.equal(code(mid, draftBy(junior.id), junior.id), 'not_your_claim')
    assert.equal(code(junior, submittedBy(junior.id), junior.id), 'awaiting_review')
    assert.isNull(code(mid, submittedBy(junior.id), junior.id))
    assert.equal(
      code({ ...junior, id: 9 }, submittedBy(junior.id), junior.id),
      'junior_cannot_review'
    )
    assert.equal(
      code(senior, { status: 'signed', authorId: 1, lastModifiedById: 1 }, null),
      'report_signed'
    )
    assert.equal(code(senior, null, null), 'report_signed')
    assert.equal(code(outsider, draftBy(outsider.id), outsider.id), 'not_a_reader')
  })
})

test.group('Turnaround (R 7.1.1)', () => {
  test('the standard limits', ({ assert }) => {
    assert.equal(limitFrom(STANDARD_LIMITS, 'emergency', 'DR'), 30)
    assert.equal(limitFrom(STANDARD_LIMITS, 'emergency', 'CT'), 120)
    assert.equal(limitFrom(STANDARD_LIMITS, 'emergency', 'MR'), 120)
    assert.equal(limitFrom(STANDARD_LIMITS, 'routine', 'CT'), 1440)
    assert.equal(limitFrom(STANDARD_LIMITS, 'special', 'DR'), 2880)
  })

  test('time left, soon in the last quarter, overdue at the due time', ({ assert }) => {
    const due = DateTime.fromISO('2026-11-22T10:00:00Z')
    assert.deepEqual(timeLeft(due, due.minus({ minutes: 100 }), 120), { minutes: 100, state: 'ok' })
    assert.deepEqual(timeLeft(due, due.minus({ minutes: 30 }), 120), { minutes: 30, state: 'soon' })
    assert.deepEqual(timeLeft(due, due.minus({ minutes: 6 }), 30), { minutes: 6, state: 'soon' })
    assert.deepEqual(timeLeft(due, due, 30), { minutes: -1, state: 'overdue' })
    assert.deepEqual(timeLeft(due, due.plus({ minutes: 61, seconds: 10 }), 30), {
      minutes: -62,
      state: 'overdue',
    })
    assert.deepEqual(durationParts(-(2 * 1440 + 3 * 60 + 5)), { days: 2, hours: 3, minutes: 5 })
  })

  test('queue cursors are "<due ms>.<id>" and nothing else', ({ assert }) => {
    assert.deepEqual(parseCursor('1795312800000.42')!.id, 42)
    assert.isNull(parseCursor('1795312800000'))
    assert.isNull(parseCursor("1' OR 1=1"))
  })
})

test.group('Report header and versions', () => {
  test('age as a report prints it', ({ assert }) => {
    const at = DateTime.fromISO('2026-11-22')
    assert.equal(ageLabel(DateTime.fromISO('1954-03-01'), at), '72岁')
    assert.equal(ageLabel(DateTime.fromISO('2026-06-10'), at), '5月')
    assert.equal(ageLabel(DateTime.fromISO('2026-11-10'), at), '12天')
  })

  test('the differences between two versions, character by character for Chinese', ({ assert }) => {
    const parts = diffText('右肺下叶炎症。', '右肺下叶炎症，左肺上叶小结节。')
    assert.deepEqual(parts, [
      { op: 'same', text: '右肺下叶炎症' },
      { op: 'added', text: '，左肺上叶小结节' },
      { op: 'same', text: '。' },
    ])
    assert.deepEqual(diffText('a', 'a'), [{ op: 'same', text: 'a' }])
    assert.deepEqual(diffText(null, '新'), [{ op: 'added', text: '新' }])
    const rebuilt = (list: ReturnType<typeof diffText>, keep: 'removed' | 'added') =>
      list
        .filter((p) => p.op !== keep)
        .map((p) => p.text)
        .join('')
    const before = 'L4/5 椎间盘突出，硬膜囊受压。'
    const after = 'L4/5、L5/S1 椎间盘突出，硬膜囊及左侧神经根受压。'
    const diff = diffText(before, after)
    assert.equal(rebuilt(diff, 'added'), before)
    assert.equal(rebuilt(diff, 'removed'), after)
  })

  test('templates fit by modality and body part', ({ assert }) => {
    assert.isTrue(templateFits({ modality: 'DR', bodyPart: '胸部' }, 'DR', ['胸部']))
    assert.isTrue(templateFits({ modality: null, bodyPart: '胸部' }, 'CT', ['胸部']))
    assert.isTrue(templateFits({ modality: 'CT', bodyPart: '头' }, 'CT', ['头颅']))
    assert.isTrue(templateFits({ modality: 'CT', bodyPart: null }, 'CT', ['腰椎']))
    assert.isFalse(templateFits({ modality: 'MR', bodyPart: '头' }, 'CT', ['头颅']))
    assert.isFalse(templateFits({ modality: 'CT', bodyPart: '胸部' }, 'CT', ['腰椎']))
  })
})

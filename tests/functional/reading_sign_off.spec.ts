import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import Exam from '#models/exam'
import ReportVersion from '#models/report_version'
import ReportDraft from '#models/report_draft'
import AuditEvent from '#models/audit_event'
import db from '@adonisjs/lucid/services/db'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import {
  api,
  CT_REPORT,
  doctor,
  examWithImages,
  manualClock,
  revisionOf,
} from '#tests/support/reading'
import { setSingleSignature } from '#app/reading/services/reading_settings'
import { DateTime } from 'luxon'

/** The audit lines of one action on one exam, newest first. */
function audits(action: string, examId: number) {
  return AuditEvent.query()
    .where('action', action)
    .where('target_id', String(examId))
    .orderBy('id', 'desc')
}

/** Everything about the exam's report that a refused request must leave as it was. */
async function snapshot(examId: number) {
  const exam = await Exam.findOrFail(examId)
  const versions = await ReportVersion.query().where('exam_id', examId).orderBy('version_no')
  return {
    status: exam.status,
    claimedById: exam.claimedById,
    inQueue: exam.inReadingQueue,
    signedAt: exam.reportSignedAt?.toISO() ?? null,
    versions: versions.map((v) => ({
      n: v.versionNo,
      status: v.status,
      revision: v.revision,
      findings: v.findings,
      signer: v.signerId,
    })),
  }
}

test.group('Two-tier sign-off through the API', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  let restore: () => void
  group.each.setup(() => {
    restore = manualClock().restore
    return () => restore()
  })

  test('a junior writes, a 中级 doctor signs: report time from the system, signer and author as B prints them', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const reviewer = await doctor('intermediate')
    const juniorToken = await apiToken(junior)
    const reviewerToken = await apiToken(reviewer)

    const claimed = await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
    assert.equal(claimed.status, 200, JSON.stringify(claimed.body))
    assert.equal(claimed.body.data.status, 'in_progress')
    assert.equal(claimed.body.data.claimedById, junior.id)
    const revision = claimed.body.data.report.revision

    const draft = await api('PUT', `/reading/exams/${exam.accessionNumber}/draft`, juniorToken, {
      ...CT_REPORT,
      revision,
    })
    assert.equal(draft.status, 200, JSON.stringify(draft.body))
    assert.isFalse(draft.body.stale)

    const submitted = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/submit`,
      juniorToken,
      { ...CT_REPORT, revision }
    )
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
    assert.equal(submitted.body.data.status, 'pending_review')
    // The submitted text is the version now; the author's draft is done with.
    assert.isNull(await ReportDraft.query().where('exam_id', exam.id).first())

    const reading = await api('GET', `/reading/exams/${exam.accessionNumber}`, reviewerToken)
    assert.equal(reading.status, 200)
    assert.equal(reading.body.data.working.status, 'pending_review')
    assert.isTrue(reading.body.data.can.sign)

    // A forged report time is ignored: the system sets it (B).
    const signed = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, reviewerToken, {
      revision: reading.body.data.working.revision,
      reportTime: '2020-01-01T00:00:00Z',
      signedAt: '2020-01-01T00:00:00Z',
    })
    assert.equal(signed.status, 200, JSON.stringify(signed.body))
    assert.equal(signed.body.data.status, 'signed')
    assert.equal(signed.body.data.report.reportTime, '2026-11-22T01:00:00.000+00:00')

    await exam.refresh()
    assert.equal(exam.status, 'signed')
    assert.isFalse(exam.inReadingQueue)
    assert.isNull(exam.claimedById)
    const version = await ReportVersion.query().where('exam_id', exam.id).firstOrFail()
    assert.equal(version.status, 'signed')
    assert.equal(version.authorId, junior.id)
    assert.equal(version.signerId, reviewer.id)
    // The reviewer did not edit: the author is still the last modifier, and the header says who wrote and who signed.
    assert.equal(version.lastModifiedById, junior.id)
    assert.equal(version.header!.authorName, junior.fullName)
    assert.equal(version.header!.signerName, reviewer.fullName)
    assert.equal(version.header!.accessionNumber, exam.accessionNumber)
    assert.match(version.header!.examName, /CT/)
    assert.equal((await audits('report.sign', exam.id).firstOrFail()).outcome, 'success')
    // QC's workload (Q 6.4) counted the author once, on the signature's hospital-time day, in its transaction.
    const counted = await db
      .from('qc_workload_days')
      .where('kind', 'doctor')
      .where('person_ref', `u:${junior.id}`)
      .select('day', 'institution_id', 'modality', 'n')
    assert.deepEqual(
      counted.map((r: any) => [
        DateTime.fromJSDate(r.day, { zone: 'utc' }).toISODate(),
        r.institution_id,
        r.modality,
        r.n,
      ]),
      [['2026-11-22', exam.institutionId, 'CT', 1]]
    )
  })

  test('a reviewer who edits becomes the last modifier and so the signer (B)', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    const juniorToken = await apiToken(junior)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })

    const edited = { ...CT_REPORT, impression: '右肺下叶肺炎，建议抗感染治疗后 2 周复查。' }
    const signed = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/sign`,
      await apiToken(senior),
      { ...edited, revision: await revisionOf(exam) }
    )
    assert.equal(signed.status, 200, JSON.stringify(signed.body))
    const version = await ReportVersion.query().where('exam_id', exam.id).firstOrFail()
    assert.equal(version.impression, edited.impression)
    assert.equal(version.lastModifiedById, senior.id)
    assert.equal(version.signerId, senior.id)
  })

  test('a 初级 doctor signing is refused, audited, and changes nothing', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'DR')
    const author = await doctor('junior')
    const otherJunior = await doctor('junior')
    const token = await apiToken(author)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
      ...CT_REPORT,
      technique: 'DR 胸部站立后前位摄影',
      revision: await revisionOf(exam),
    })
    const before = await snapshot(exam.id)

    const refused = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/sign`,
      await apiToken(otherJunior),
      { revision: await revisionOf(exam) }
    )
    assert.equal(refused.status, 403)
    assert.equal(refused.body.errors[0].code, 'junior_cannot_sign')
    assert.include(refused.body.errors[0].message, '初级医师不能审核签发')
    assert.deepEqual(await snapshot(exam.id), before)
    const line = await audits('report.sign', exam.id).firstOrFail()
    assert.equal(line.outcome, 'denied')
    assert.equal(line.actorUserId, otherJunior.id)
    assert.equal((line.details as any).code, 'junior_cannot_sign')
  })

  test('a reviewer signing their own report is refused, audited, and changes nothing', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const author = await doctor('intermediate')
    const token = await apiToken(author)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
    // Single signature is off by default: even a 中级 author cannot sign the draft alone…
    const alone = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, token, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })
    assert.equal(alone.status, 409)
    assert.equal(alone.body.errors[0].code, 'not_submitted')
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })
    const before = await snapshot(exam.id)

    // …nor the submitted report.
    const refused = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, token, {
      revision: await revisionOf(exam),
    })
    assert.equal(refused.status, 403)
    assert.equal(refused.body.errors[0].code, 'own_report')
    assert.deepEqual(await snapshot(exam.id), before)
    const line = await audits('report.sign', exam.id).firstOrFail()
    assert.equal(line.outcome, 'denied')
    assert.equal((line.details as any).code, 'own_report')
  })

  test('with the single-signature policy on, a 中级 author signs alone; a junior still cannot', async ({
    assert,
  }) => {
    await setSingleSignature(true, (await make.user('admin')).id, DateTime.utc())
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const author = await doctor('intermediate')
    const token = await apiToken(author)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
    const signed = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, token, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })
    assert.equal(signed.status, 200, JSON.stringify(signed.body))
    const version = await ReportVersion.query().where('exam_id', exam.id).firstOrFail()
    assert.equal(version.authorId, author.id)
    assert.equal(version.signerId, author.id)

    const second = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const juniorToken = await apiToken(junior)
    await api('POST', `/reading/exams/${second.exam.accessionNumber}/claim`, juniorToken)
    const refused = await api(
      'POST',
      `/reading/exams/${second.exam.accessionNumber}/sign`,
      juniorToken,
      { ...CT_REPORT, revision: await revisionOf(second.exam) }
    )
    assert.equal(refused.status, 403)
    assert.equal(refused.body.errors[0].code, 'junior_cannot_sign')
  })

  test('editing a signed report is refused, audited, and changes nothing; a replayed signature too', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const senior = await doctor('senior')
    const juniorToken = await apiToken(junior)
    const seniorToken = await apiToken(senior)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })
    const revision = await revisionOf(exam)
    const first = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, seniorToken, {
      revision,
    })
    assert.equal(first.status, 200)
    const before = await snapshot(exam.id)

    const edits = [
      await api('PUT', `/reading/exams/${exam.accessionNumber}/draft`, seniorToken, {
        ...CT_REPORT,
        findings: '改写已签发的报告',
        revision,
      }),
      await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
        ...CT_REPORT,
        findings: '改写已签发的报告',
        revision,
      }),
    ]
    for (const edit of edits) {
      assert.equal(edit.status, 409)
      assert.equal(edit.body.errors[0].code, 'report_signed')
    }
    const replay = await api('POST', `/reading/exams/${exam.accessionNumber}/sign`, seniorToken, {
      revision,
    })
    assert.equal(replay.status, 409)
    assert.equal(replay.body.errors[0].code, 'already_signed')
    assert.deepEqual(await snapshot(exam.id), before)
    // Counted once in QC's workload, not again by the replay.
    assert.deepEqual(
      (await db.from('qc_workload_days').where('person_ref', `u:${junior.id}`)).map(
        (r: any) => r.n
      ),
      [1]
    )
    assert.equal((await audits('report.draft', exam.id).firstOrFail()).outcome, 'refused')
    assert.equal((await audits('report.submit', exam.id).firstOrFail()).outcome, 'refused')
    assert.equal((await audits('report.sign', exam.id).firstOrFail()).outcome, 'refused')

    // The database itself refuses to change a signed version.
    await assert.rejects(() =>
      db.from('report_versions').where('exam_id', exam.id).update({ findings: 'tampered' })
    )
  })

  test("a reviewer returns the report with a comment to its author's queue", async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const reviewer = await doctor('intermediate')
    const juniorToken = await apiToken(junior)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })

    const noComment = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/return`,
      await apiToken(reviewer),
      { comment: ' ', revision: await revisionOf(exam) }
    )
    assert.equal(noComment.status, 422)
    const returned = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/return`,
      await apiToken(reviewer),
      {
        comment: '请补充纵隔窗描述',
        revision: await revisionOf(exam),
      }
    )
    assert.equal(returned.status, 200, JSON.stringify(returned.body))
    assert.equal(returned.body.data.status, 'in_progress')
    assert.equal(returned.body.data.claimedById, junior.id)
    assert.equal(returned.body.data.report.returnComment, '请补充纵隔窗描述')

    const mine = await api('GET', '/reading/queue?mine=true', juniorToken)
    const row = mine.body.data.find((r: any) => r.id === exam.id)
    assert.isTrue(row.report.returned)

    // The author fixes it and resubmits; the reviewer signs.
    const resubmitted = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/submit`,
      juniorToken,
      {
        ...CT_REPORT,
        findings: CT_REPORT.findings + '纵隔窗示纵隔内未见肿大淋巴结。',
        revision: await revisionOf(exam),
      }
    )
    assert.equal(resubmitted.status, 200)
    const signed = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/sign`,
      await apiToken(reviewer),
      { revision: await revisionOf(exam) }
    )
    assert.equal(signed.status, 200, JSON.stringify(signed.body))
  })

  test('a stale editor is refused: the report changed since it was read', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const junior = await doctor('junior')
    const juniorToken = await apiToken(junior)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
      ...CT_REPORT,
      revision: await revisionOf(exam),
    })
    const seen = await revisionOf(exam)
    const a = await doctor('intermediate')
    const b = await doctor('senior')
    await api('POST', `/reading/exams/${exam.accessionNumber}/return`, await apiToken(a), {
      comment: '请补充',
      revision: seen,
    })
    await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
      ...CT_REPORT,
      impression: '已补充',
      revision: await revisionOf(exam),
    })
    const before = await snapshot(exam.id)
    const stale = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/sign`,
      await apiToken(b),
      { revision: seen }
    )
    assert.equal(stale.status, 409)
    assert.equal(stale.body.errors[0].code, 'stale_revision')
    assert.deepEqual(await snapshot(exam.id), before)
  })

  test('what a report must contain is checked before anything is written: {case}')
    .with([
      { case: 'no findings', body: { ...CT_REPORT, findings: ' ' }, code: 'findings_missing' },
      { case: 'no impression', body: { ...CT_REPORT, impression: '' }, code: 'impression_missing' },
      { case: 'no technique', body: { ...CT_REPORT, technique: '' }, code: 'technique_missing' },
      {
        case: 'MRI technique not "plane: sequence, sequence; plane: …"',
        modality: 'MR',
        body: { ...CT_REPORT, technique: 'T1WI T2WI FLAIR' },
        code: 'mri_technique_format',
      },
    ])
    .run(async ({ assert }, row) => {
      const clinic = await make.user('clinic_staff')
      const { exam } = await examWithImages(clinic, (row.modality as any) ?? 'CT')
      const junior = await doctor('junior')
      const token = await apiToken(junior)
      await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
      const before = await snapshot(exam.id)
      const refused = await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
        ...row.body,
        revision: await revisionOf(exam),
      })
      assert.equal(refused.status, 422)
      assert.equal(refused.body.errors[0].code, row.code)
      assert.deepEqual(await snapshot(exam.id), before)
      assert.equal((await audits('report.submit', exam.id).firstOrFail()).outcome, 'refused')
    })

  test("MRI technique is stored in the standard's punctuation", async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'MR')
    const junior = await doctor('junior')
    const token = await apiToken(junior)
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token)
    const submitted = await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, token, {
      ...CT_REPORT,
      technique: '横断位: T1WI, T2WI, FLAIR, DWI; 矢状位: T1WI',
      revision: await revisionOf(exam),
    })
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
    assert.equal(
      submitted.body.data.report.technique,
      '横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T1WI'
    )
  })

  test('with a prior exam the report must compare with it, naming its date (B; Q 4.2.5e)', async ({
    assert,
  }) => {
    const { clock } = manualClock('2026-10-01T02:00:00Z')
    const clinic = await make.user('clinic_staff')
    const first = await examWithImages(clinic, 'CT')
    clock.set('2026-11-22T02:00:00Z')
    const second = await examWithImages(clinic, 'CT', 'routine', {
      clinicPatientId: first.clinicPatient.id,
    })
    const junior = await doctor('junior')
    const token = await apiToken(junior)
    await api('POST', `/reading/exams/${second.exam.accessionNumber}/claim`, token)

    const reading = await api('GET', `/reading/exams/${second.exam.accessionNumber}`, token)
    const prior = reading.body.data.priors.find((p: any) => p.id === first.exam.id)
    assert.isTrue(prior.comparable)
    const priorDate = prior.examDate as string

    const none = await api('POST', `/reading/exams/${second.exam.accessionNumber}/submit`, token, {
      ...CT_REPORT,
      revision: await revisionOf(second.exam),
    })
    assert.equal(none.status, 422)
    assert.equal(none.body.errors[0].code, 'comparison_required')
    assert.include(none.body.errors[0].message, priorDate)

    const undated = await api(
      'POST',
      `/reading/exams/${second.exam.accessionNumber}/submit`,
      token,
      {
        ...CT_REPORT,
        priorExamId: first.exam.id,
        comparison: '与前片比较，病灶较前吸收。',
        revision: await revisionOf(second.exam),
      }
    )
    assert.equal(undated.body.errors[0].code, 'comparison_date_missing')

    const dated = await api('POST', `/reading/exams/${second.exam.accessionNumber}/submit`, token, {
      ...CT_REPORT,
      priorExamId: first.exam.id,
      comparison: `与 ${priorDate} CT 片比较，右肺下叶病灶较前吸收。`,
      revision: await revisionOf(second.exam),
    })
    assert.equal(dated.status, 200, JSON.stringify(dated.body))
  })
})

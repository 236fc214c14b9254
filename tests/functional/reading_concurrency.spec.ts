import { test } from '@japa/runner'
import ReportVersion from '#models/report_version'
import AuditEvent from '#models/audit_event'
import Exam from '#models/exam'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { api, CT_REPORT, doctor, examWithImages, revisionOf } from '#tests/support/reading'

/*
| Real races: no global transaction here, so the requests run on separate
| database connections and transactions, as two doctors' browsers would. The
| rows are uniquely named and left in the test database.
*/

test.group('Races between doctors', () => {
  test('two doctors signing at the same instant produce exactly one signature', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const junior = await doctor('junior')
    const reviewers = [await doctor('intermediate'), await doctor('senior')]
    const tokens = await Promise.all(reviewers.map((r) => apiToken(r)))
    const juniorToken = await apiToken(junior)

    // Several rounds: a lucky interleaving in one round must not hide a race.
    for (let round = 0; round < 5; round++) {
      const { exam } = await examWithImages(clinic, 'CT')
      await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, juniorToken)
      await api('POST', `/reading/exams/${exam.accessionNumber}/submit`, juniorToken, {
        ...CT_REPORT,
        revision: await revisionOf(exam),
      })
      const revision = await revisionOf(exam)

      const results = await Promise.all(
        tokens.map((token) =>
          api('POST', `/reading/exams/${exam.accessionNumber}/sign`, token, { revision })
        )
      )
      const statuses = results.map((r) => r.status).sort()
      assert.deepEqual(statuses, [200, 409], JSON.stringify(results.map((r) => r.body)))
      const loser = results.find((r) => r.status === 409)!
      assert.oneOf(loser.body.errors[0].code, [
        'already_signed',
        'stale_revision',
        'changed_meanwhile',
      ])

      const versions = await ReportVersion.query().where('exam_id', exam.id)
      assert.lengthOf(versions, 1)
      assert.equal(versions[0].status, 'signed')
      const winner = reviewers[results.findIndex((r) => r.status === 200)]
      assert.equal(versions[0].signerId, winner.id)
      assert.equal((await Exam.findOrFail(exam.id)).status, 'signed')
      const lines = await AuditEvent.query()
        .where('action', 'report.sign')
        .where('target_id', String(exam.id))
      assert.deepEqual(lines.map((l) => l.outcome).sort(), ['refused', 'success'])
    }
  })

  test('two doctors claiming at the same instant: exactly one holds the exam', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const doctors = [await doctor('junior'), await doctor('junior'), await doctor('intermediate')]
    const tokens = await Promise.all(doctors.map((d) => apiToken(d)))
    for (let round = 0; round < 5; round++) {
      const { exam } = await examWithImages(clinic, 'DR', 'emergency')
      const results = await Promise.all(
        tokens.map((token) => api('POST', `/reading/exams/${exam.accessionNumber}/claim`, token))
      )
      assert.deepEqual(
        results.map((r) => r.status).sort(),
        [200, 409, 409],
        JSON.stringify(results.map((r) => r.body))
      )
      const holder = doctors[results.findIndex((r) => r.status === 200)]
      await exam.refresh()
      assert.equal(exam.claimedById, holder.id)
      const versions = await ReportVersion.query().where('exam_id', exam.id)
      assert.lengthOf(versions, 1)
      assert.equal(versions[0].authorId, holder.id)
    }
  })
})

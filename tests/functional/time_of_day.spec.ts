import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import AuditEvent from '#models/audit_event'
import imaging from '#config/imaging'
import { Clock, ManualClock } from '#app/platform/clock'
import { studyDateWarning } from '#app/intake/services/intake_rules'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { declaredClinic, feedFromNow, sendAndWaitStable, readFeed } from '#tests/support/arrivals'
import { apiToken, postDicom } from '#tests/support/http'

/*
| The date-sensitive intake rules, proven at the hours where the hospital's
| day and UTC's day differ: 23:30 in Asia/Shanghai (15:30 UTC, same day) and
| 00:30 (16:30 UTC the day before). `npm test` runs this file again with the
| Node process in TZ=America/New_York, so nothing leans on the machine's zone.
*/

const HOURS = [
  { label: '23:30 hospital time', at: '2026-11-22T23:30:00' },
  { label: '00:30 hospital time (still the day before in UTC)', at: '2026-11-23T00:30:00' },
]

function clockAt(local: string) {
  return new ManualClock(DateTime.fromISO(local, { zone: imaging.displayTimezone }).toUTC())
}

test.group('Intake at any hour', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test(
    "a C-STORE study without an accession matches by patient number and the hospital's day at {label}"
  )
    .with(HOURS)
    .run(async ({ assert }, row) => {
      const clock = clockAt(row.at)
      app.container.swap(Clock, () => clock)
      const { clinicUser, aeTitle } = await declaredClinic()
      const { exam, clinicPatient } = await make.exam(clinicUser, 'DR')
      assert.equal(exam.registeredAt.toUTC().toISO(), clock.now().toISO())
      await feedFromNow()
      const study = studyFor(exam, clinicPatient, 1, 1, { accessionNumber: '' })
      const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
      await readFeed()
      assert.equal(
        (await ExamStudy.findByOrFail('orthanc_study_id', orthancStudyId)).examId,
        exam.id
      )
      const fresh = await Exam.findOrFail(exam.id)
      assert.equal(fresh.status, 'images_received')
      assert.equal(fresh.imagesReceivedAt!.toUTC().toISO(), clock.now().toISO())
      const event = await AuditEvent.query()
        .where('action', 'exam.images.received_dicom')
        .where('target_id', String(exam.id))
        .firstOrFail()
      assert.equal(event.details?.matchedBy, 'patient_and_date')
    })

  test(
    "an upload dated the hospital's day carries no warning; one dated three days before does, at {label}"
  )
    .with(HOURS)
    .run(async ({ assert }, row) => {
      const clock = clockAt(row.at)
      app.container.swap(Clock, () => clock)
      const clinic = await make.user('clinic_staff')
      const { exam, clinicPatient } = await make.exam(clinic, 'CT')
      const token = await apiToken(clinic)
      const today = studyFor(exam, clinicPatient, 1, 1)
      const ok = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        today.files[0].data,
        token
      )
      assert.equal(ok.status, 200)
      assert.deepEqual(ok.body.warnings, [])
      const threeDaysBefore = clock
        .now()
        .setZone(imaging.displayTimezone)
        .minus({ days: 3 })
        .toFormat('yyyyMMdd')
      const old = studyFor(exam, clinicPatient, 1, 1, {
        studyDate: threeDaysBefore,
        studyInstanceUid: today.studyInstanceUid,
      })
      const warned = await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        old.files[0].data,
        token
      )
      assert.equal(warned.status, 200)
      assert.equal(warned.body.warnings[0]?.code, 'study_date_before_request')
    })

  test('the study-date rule reads days in hospital time at {label}')
    .with(HOURS)
    .run(({ assert }, row) => {
      const now = clockAt(row.at).now()
      const day = now.setZone(imaging.displayTimezone)
      const fmt = (d: DateTime) => d.toFormat('yyyyMMdd')
      assert.isNull(studyDateWarning(fmt(day), now, now, imaging.displayTimezone))
      assert.isNull(
        studyDateWarning(fmt(day.minus({ days: 2 })), now, now, imaging.displayTimezone)
      )
      assert.equal(
        studyDateWarning(fmt(day.minus({ days: 3 })), now, now, imaging.displayTimezone)?.code,
        'study_date_before_request'
      )
      assert.equal(
        studyDateWarning(fmt(day.plus({ days: 1 })), now, now, imaging.displayTimezone)?.code,
        'study_date_in_future'
      )
    })
})

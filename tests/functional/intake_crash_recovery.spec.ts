import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { spawn, type ChildProcess } from 'node:child_process'
import Exam from '#models/exam'
import DicomSender from '#models/dicom_sender'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { FEED_NAME } from '#app/intake/services/dicom_arrivals'
import * as make from '#tests/support/fixtures'
import { studyFor, writeFolder, cStore } from '#tests/support/dicom'
import { eventually } from '#tests/support/wait'
import { ownOrthanc, freePort } from '#tests/support/orthanc_node'

/*
| A server killed (SIGKILL: no shutdown, no finally) in the middle of a
| catch-up of the DICOM feed, then started again: every exam's state must
| match what Orthanc holds: linked once, counted exactly, "images received"
| and in the reading queue with its due time. The test spawns the real server
| (bin/server.ts) as a child, against the suite's database and the test's own
| Orthanc, so the suite's Orthanc and its feed are not touched.
| It commits its rows (a child process cannot see a test transaction) and
| removes them afterwards.
*/

const STUDIES = 10
const PER_STUDY = 12

function startServer(env: NodeJS.ProcessEnv) {
  const child = spawn(
    process.execPath,
    ['--import', 'ts-node-maintained/register/esm', 'bin/server.ts'],
    {
      cwd: app.makePath(),
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    }
  )
  let stderr = ''
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)))
  return { child, stderr: () => stderr }
}

function exited(child: ChildProcess) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()))
}

test.group('A server killed mid catch-up', () => {
  test("after a restart every exam's state matches Orthanc", async ({ assert }) => {
    const node = await ownOrthanc('intake-killed')
    const orthanc = new OrthancClient(node.credentials)
    const created: {
      institutionId?: number
      examIds: number[]
      patientIds: number[]
      userIds: number[]
    } = { examIds: [], patientIds: [], userIds: [] }
    let server: ReturnType<typeof startServer> | null = null
    try {
      // Committed set-up: a clinic, its DICOM sender (declared on the test's Orthanc), ten exams.
      const clinicUser = await make.user('clinic_staff')
      created.institutionId = clinicUser.institutionId
      created.userIds.push(clinicUser.id)
      const aeTitle = make.unique('KILL').toUpperCase().slice(0, 16)
      await DicomSender.create({
        institutionId: clinicUser.institutionId,
        aeTitle,
        host: '127.0.0.1',
        port: 104,
        active: true,
      } as any)
      await orthanc.putModality(aeTitle, { AET: aeTitle, Host: '127.0.0.1', Port: 104 })
      const exams = []
      for (let i = 0; i < STUDIES; i++) {
        const made = await make.exam(clinicUser, 'CT')
        created.examIds.push(made.exam.id)
        created.patientIds.push(made.patient.id)
        exams.push(made)
      }
      // The modality sends every study while the app is down.
      for (const { exam, clinicPatient } of exams) {
        const folder = await writeFolder(studyFor(exam, clinicPatient, 2, PER_STUDY / 2).files)
        try {
          await cStore(aeTitle, folder.paths, [], node.options.dicomPort)
        } finally {
          await folder.remove()
        }
      }
      await eventually(
        async () => {
          const studies = await orthanc.findStudies({ AccessionNumber: '*' })
          if (studies.length < STUDIES) return false
          return (await Promise.all(studies.map((id) => orthanc.study(id)))).every(
            (s) => s.IsStable
          )
        },
        { timeoutMs: 60_000 }
      )
      await db.from('feed_cursors').where('name', FEED_NAME).delete()

      const env = {
        ...process.env,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        ORTHANC_URL: node.url,
        ORTHANC_USERNAME: node.credentials.username,
        ORTHANC_PASSWORD: node.credentials.password,
        ORTHANC_DICOM_PORT: String(node.options.dicomPort),
        ORTHANC_POLL_SECONDS: '1',
        SCHEDULER_ENABLED: 'true',
        LOG_LEVEL: 'warn',
      }
      const linked = () =>
        db
          .from('exams')
          .whereIn('id', created.examIds)
          .where('status', 'images_received')
          .count('* as n')
          .first()
          .then((r) => Number(r?.n ?? 0))

      // First run: killed once the catch-up has begun and before it has finished.
      server = startServer(env)
      const progress = await eventually(
        async () => {
          const n = await linked()
          return n >= 1 ? n : null
        },
        { timeoutMs: 90_000, everyMs: 20 }
      )
      server.child.kill('SIGKILL')
      await exited(server.child)
      const atKill = await linked()
      assert.isBelow(
        progress,
        STUDIES,
        'the catch-up finished before the kill: the test did not test a crash mid catch-up'
      )

      // A node that dies holding a job lease loses it when the lease expires; the test does not wait for that.
      await db.from('job_leases').update({ expires_at: '2000-01-01 00:00:00.000' })

      server = startServer(env)
      await eventually(async () => (await linked()) === STUDIES, { timeoutMs: 120_000 }).catch(
        (error) => {
          throw new Error(
            `${error.message}; linked ${atKill} at the kill; server said: ${server?.stderr()}`
          )
        }
      )

      for (const { exam } of exams) {
        const fresh = await Exam.findOrFail(exam.id)
        const links = await db.from('exam_studies').where('exam_id', exam.id)
        assert.lengthOf(links, 1, exam.accessionNumber)
        const inOrthanc = await orthanc.studyInstances(links[0].orthanc_study_id)
        assert.equal(fresh.status, 'images_received', exam.accessionNumber)
        assert.isTrue(fresh.inReadingQueue, exam.accessionNumber)
        assert.isNotNull(fresh.dueAt, exam.accessionNumber)
        assert.equal(fresh.instanceCount, inOrthanc.length, exam.accessionNumber)
        assert.equal(Number(links[0].instance_count), inOrthanc.length, exam.accessionNumber)
        assert.equal(Number(links[0].series_count), 2, exam.accessionNumber)
      }
    } finally {
      if (server && server.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGTERM')
        await Promise.race([exited(server.child), new Promise((r) => setTimeout(r, 10_000))])
        if (server.child.exitCode === null && server.child.signalCode === null)
          server.child.kill('SIGKILL')
      }
      await node.stop()
      // The rows this test committed go, so that no other test sees them.
      await db.from('feed_cursors').where('name', FEED_NAME).delete()
      await db.from('job_leases').update({ expires_at: '2000-01-01 00:00:00.000' })
      if (created.examIds.length) {
        const studyIds = (
          await db.from('exam_studies').whereIn('exam_id', created.examIds).select('id')
        ).map((r) => r.id)
        if (studyIds.length)
          await db.from('exam_series').whereIn('exam_study_id', studyIds).delete()
        await db.from('exam_studies').whereIn('exam_id', created.examIds).delete()
        await db.from('unmatched_studies').where('institution_id', created.institutionId!).delete()
        await db.from('exam_exam_items').whereIn('exam_id', created.examIds).delete()
        // What other capabilities recorded about these exams when their images arrived (QC checks, data quality).
        for (const table of [
          'qc_findings',
          'qc_exam_technologists',
          'qc_exam_devices',
          'qc_marks',
          'recognition_dq_uploads',
          'exam_shares',
        ]) {
          await db.from(table).whereIn('exam_id', created.examIds).delete()
        }
        await db.from('exams').whereIn('id', created.examIds).delete()
        await db.from('clinic_patients').whereIn('patient_id', created.patientIds).delete()
        await db.from('patients').whereIn('id', created.patientIds).delete()
      }
      if (created.institutionId) {
        await db.from('dicom_senders').where('institution_id', created.institutionId).delete()
        await db.from('users').whereIn('id', created.userIds).delete()
        await db.from('institutions').where('id', created.institutionId).delete()
      }
    }
  }).timeout(240_000)
})

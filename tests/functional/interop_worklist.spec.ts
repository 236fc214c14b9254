import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import iconv from 'iconv-lite'
import DicomSender from '#models/dicom_sender'
import ExamStudy from '#models/exam_study'
import AuditEvent from '#models/audit_event'
import imaging from '#config/imaging'
import * as make from '#tests/support/fixtures'
import { declaredClinic, feedFromNow, readFeed, sendAndWaitStable } from '#tests/support/arrivals'
import { studyFor } from '#tests/support/dicom'
import { apiToken } from '#tests/support/http'
import { api } from '#tests/support/reading'
import { WorklistScp } from '#app/interoperability/worklist/worklist_scp'

let scp: WorklistScp

/*
| The clinics' devices read the modality worklist from the real Orthanc (its
| Python plugin asks the app) with DCMTK's findscu in worklist mode (-W), as a
| DR or CT at the clinic would.
*/

const run = promisify(execFile)

interface WorklistItem {
  accession: string
  patientId: string
  name: string
  charset: string
  nameBytes: Buffer
  modality: string
  stationAe: string
  date: string
  procedure: string
  code: string
  birthDate: string
  sex: string
}

/**
 * The first value of each tag in DCMTK's dump of a response, as raw bytes
 * (dcmdump prints text values as they are in the file: GB18030 stays GB18030).
 */
async function dumpValues(file: string) {
  const { stdout } = await run('dcmdump', ['-q', file], { encoding: 'buffer' })
  const values = new Map<string, Buffer>()
  let start = 0
  while (start < stdout.length) {
    let end = stdout.indexOf(0x0a, start)
    if (end < 0) end = stdout.length
    const line = stdout.subarray(start, end)
    start = end + 1
    const head = /^\s*\(([0-9a-f]{4}),([0-9a-f]{4})\) [A-Z]{2} \[/.exec(line.toString('latin1'))
    if (!head) continue
    const tag = `${head[1]}${head[2]}`.toUpperCase()
    const open = line.indexOf(0x5b)
    const close = line.lastIndexOf(0x5d)
    if (!values.has(tag)) values.set(tag, line.subarray(open + 1, close))
  }
  return values
}

async function findWorklist(aet: string, keys: string[] = [], options: string[] = []) {
  const dir = await mkdtemp(join(tmpdir(), 'mwl-'))
  try {
    await run(
      'findscu',
      [
        '-W',
        '-aet',
        aet,
        '-aec',
        'IMAGING_MWL',
        '-X',
        '-od',
        dir,
        '-k',
        'AccessionNumber',
        '-k',
        'PatientName',
        '-k',
        'PatientID',
        '-k',
        'PatientBirthDate',
        '-k',
        'PatientSex',
        '-k',
        'RequestedProcedureDescription',
        '-k',
        'RequestedProcedureCodeSequence[0].CodeValue',
        '-k',
        'ScheduledProcedureStepSequence[0].Modality',
        '-k',
        'ScheduledProcedureStepSequence[0].ScheduledStationAETitle',
        '-k',
        'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate',
        ...keys.flatMap((k) => ['-k', k]),
        ...options,
        '127.0.0.1',
        String(scp.port),
      ],
      { timeout: 30_000 }
    )
    const files = (await readdir(dir)).filter((f) => f.endsWith('.dcm')).sort()
    const items: WorklistItem[] = []
    for (const name of files) {
      const values = await dumpValues(join(dir, name))
      const ascii = (tag: string) => values.get(tag)?.toString('latin1').trim() ?? ''
      const charset = ascii('00080005')
      const nameBytes = values.get('00100010') ?? Buffer.alloc(0)
      items.push({
        accession: ascii('00080050'),
        patientId: ascii('00100020'),
        name: iconv.decode(nameBytes, charset === 'GB18030' ? 'gb18030' : 'utf8').trim(),
        charset,
        nameBytes,
        modality: ascii('00080060'),
        stationAe: ascii('00400001'),
        date: ascii('00400002'),
        procedure: values.get('00321060')?.toString('utf8').trim() ?? '',
        code: ascii('00080100'),
        birthDate: ascii('00100030'),
        sex: ascii('00100040'),
      })
    }
    return items
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

test.group("Modality worklist (C-FIND) for the clinics' devices", (group) => {
  group.setup(async () => {
    scp = await new WorklistScp({ port: 0, host: '127.0.0.1', aet: 'IMAGING_MWL' }).start()
    return () => scp.stop()
  })
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test("a declared device gets exactly its clinic's scheduled exams, the Chinese name readable in UTF-8", async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const first = await make.exam(clinicUser, 'CT')
    const second = await make.exam(clinicUser, 'DR')
    const other = await declaredClinic()
    const foreign = await make.exam(other.clinicUser, 'CT')

    const items = await findWorklist(aeTitle)
    assert.sameMembers(
      items.map((i) => i.accession),
      [first.exam.accessionNumber, second.exam.accessionNumber]
    )
    assert.notInclude(
      items.map((i) => i.accession),
      foreign.exam.accessionNumber
    )
    const ct = items.find((i) => i.accession === first.exam.accessionNumber)!
    assert.equal(ct.charset, 'ISO_IR 192')
    assert.equal(ct.name, '张三')
    assert.deepEqual(ct.nameBytes.subarray(0, 6), Buffer.from('张三', 'utf8'))
    assert.equal(ct.patientId, first.clinicPatient.clinicPatientNo)
    assert.equal(ct.birthDate, '19800517')
    assert.equal(ct.sex, 'M')
    assert.equal(ct.modality, 'CT')
    assert.equal(ct.stationAe, aeTitle)
    assert.equal(
      ct.date,
      first.exam.registeredAt.setZone(imaging.displayTimezone).toFormat('yyyyMMdd')
    )
    await first.exam.load('items')
    assert.equal(ct.procedure, first.exam.items[0].name)
    assert.equal(ct.code, String(first.exam.items[0].seq))

    // The device's own keys narrow the list (Orthanc's matcher on the app's answers).
    const onlyDr = await findWorklist(aeTitle, ['ScheduledProcedureStepSequence[0].Modality=DR'])
    assert.deepEqual(
      onlyDr.map((i) => i.accession),
      [second.exam.accessionNumber]
    )

    const audit = await AuditEvent.query()
      .where('action', 'worklist.query')
      .where('outcome', 'success')
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.equal(audit.details?.ae, aeTitle)
  })

  test('a device set to GB18030 gets the name as GB18030 bytes, still 张三', async ({ assert }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    await DicomSender.query().where('ae_title', aeTitle).update({ worklist_charset: 'GB18030' })
    const { exam } = await make.exam(clinicUser, 'DR')
    const [item] = await findWorklist(aeTitle)
    assert.equal(item.accession, exam.accessionNumber)
    assert.equal(item.charset, 'GB18030')
    const gb = iconv.encode('张三', 'gb18030')
    assert.notDeepEqual(gb, Buffer.from('张三', 'utf8'))
    assert.deepEqual(item.nameBytes.subarray(0, gb.length), gb)
    assert.equal(iconv.decode(item.nameBytes, 'gb18030').trim(), '张三')

    // A device that proposes only implicit VR little endian gets the same item.
    const [implicit] = await findWorklist(aeTitle, [], ['-xi'])
    assert.equal(implicit.accession, exam.accessionNumber)
    assert.deepEqual(implicit.nameBytes.subarray(0, gb.length), gb)
  })

  test('an AE title that is not declared is refused at association and learns nothing', async ({
    assert,
  }) => {
    const { clinicUser } = await declaredClinic()
    await make.exam(clinicUser, 'CT')
    const error = await findWorklist('INTRUDER1').then(
      () => null,
      (e) => e
    )
    assert.isNotNull(error)
    assert.match(String(error.stderr ?? error.message), /Association Rejected|rejected/i)
    const audit = await AuditEvent.query()
      .where('action', 'worklist.association')
      .where('target_id', 'INTRUDER1')
      .firstOrFail()
    assert.equal(audit.outcome, 'denied')
  })

  test('a declared AE title calling from another host than its own is refused too', async ({
    assert,
  }) => {
    const { aeTitle } = await declaredClinic()
    await DicomSender.query().where('ae_title', aeTitle).update({ host: '10.9.9.9' })
    const error = await findWorklist(aeTitle).then(
      () => null,
      (e) => e
    )
    assert.isNotNull(error)
  })

  test('a cancelled exam and one whose images arrived leave the worklist at the next query', async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const kept = await make.exam(clinicUser, 'CT')
    const cancelled = await make.exam(clinicUser, 'CT')
    const done = await make.exam(clinicUser, 'CT')
    assert.lengthOf(await findWorklist(aeTitle), 3)

    // The clinic cancels one request (by the API, as its HIS would), another one's images arrive.
    const token = await apiToken(clinicUser)
    const cancelledNow = await api('POST', `/exams/${cancelled.exam.accessionNumber}/cancel`, token)
    assert.equal(cancelledNow.status, 200, JSON.stringify(cancelledNow.body))
    assert.isNotNull(cancelledNow.body.data.cancelledAt)
    const again = await api('POST', `/exams/${cancelled.exam.accessionNumber}/cancel`, token)
    assert.equal(again.status, 409)
    const stranger = await apiToken(await make.user('clinic_staff'))
    assert.equal(
      (await api('POST', `/exams/${kept.exam.accessionNumber}/cancel`, stranger)).status,
      404
    )
    done.exam.status = 'images_received'
    await done.exam.save()
    assert.deepEqual(
      (await findWorklist(aeTitle)).map((i) => i.accession),
      [kept.exam.accessionNumber]
    )
    assert.equal(
      (await api('POST', `/exams/${done.exam.accessionNumber}/cancel`, token)).status,
      409
    )
  })

  test("a study sent by storescu with the worklist's accession number is matched to the exam by accession", async ({
    assert,
  }) => {
    const { clinicUser, aeTitle } = await declaredClinic()
    const { exam, clinicPatient } = await make.exam(clinicUser, 'DR')
    const [item] = await findWorklist(aeTitle)
    assert.equal(item.accession, exam.accessionNumber)

    await feedFromNow()
    // The device writes what the worklist gave it: accession number and patient ID.
    const study = studyFor(exam, clinicPatient, 1, 1, {
      accessionNumber: item.accession,
      patientId: item.patientId,
    })
    const orthancStudyId = await sendAndWaitStable(aeTitle, study.files, study.studyInstanceUid)
    await readFeed()
    const linked = await ExamStudy.findByOrFail('orthanc_study_id', orthancStudyId)
    assert.equal(linked.examId, exam.id)
    const event = await AuditEvent.query()
      .where('action', 'exam.images.received_dicom')
      .where('target_id', String(exam.id))
      .firstOrFail()
    assert.equal(event.details?.matchedBy, 'accession')
    assert.lengthOf(await findWorklist(aeTitle), 0)
  })
})

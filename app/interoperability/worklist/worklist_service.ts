import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import DicomSender from '#models/dicom_sender'
import ClinicPatient from '#models/clinic_patient'
import Patient from '#models/patient'
import ExamItem from '#models/exam_item'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import imaging from '#config/imaging'
import { catalogueScheme, itemCode, studyUidFor } from '#app/interoperability/catalogue_codes'
import {
  WORKLIST_CHARSETS,
  type Element,
  type WorklistCharset,
} from '#app/interoperability/worklist/dicom_writer'

/** The C-FIND identifier, "gggg,eeee" keys (dicom_reader.ts). */
export type WorklistQuery = Record<string, unknown>

export interface WorklistRequest {
  callingAet: string
  query: WorklistQuery
}

export interface WorklistAnswer {
  sender: DicomSender
  charset: WorklistCharset
  /** one identifier per scheduled exam, to be encoded in the negotiated transfer syntax */
  items: Element[][]
  incomplete: boolean
  accessionNumbers: string[]
}

/** How far back a registered exam still waits on the worklist (older ones are stale requests, not work). */
export const WORKLIST_DAYS = 14
/** At most this many items per C-FIND; the device is told the list is incomplete. */
export const WORKLIST_MAX_ANSWERS = 500

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim()
  return ''
}

/** A key of the query only when it narrows (not empty, not a wildcard). */
function exactKey(value: unknown) {
  const v = text(value)
  return v && !/[*?]/.test(v) ? v : null
}

/** A DA matching key: `yyyyMMdd`, `A-B`, `A-`, `-B` (PS3.4 C.2.2.2.5), as a UTC range of hospital days. */
export function dateRange(value: unknown): { from: DateTime | null; to: DateTime | null } | null {
  const v = text(value)
  if (!v || v === '*') return null
  const [a, b] = v.includes('-') ? v.split('-', 2) : [v, v]
  const day = (s: string) =>
    s ? DateTime.fromFormat(s.trim(), 'yyyyMMdd', { zone: imaging.displayTimezone }) : null
  const from = day(a)
  const to = day(b)
  if ((from && !from.isValid) || (to && !to.isValid)) return null
  return {
    from: from ? from.startOf('day').toUTC() : null,
    to: to ? to.endOf('day').toUTC() : null,
  }
}

function normaliseAddress(address: string) {
  const a = address
    .trim()
    .toLowerCase()
    .replace(/^::ffff:/, '')
  return a === 'localhost' || a === '::1' ? '127.0.0.1' : a
}

/**
 * The modality worklist (DICOM PS3.4 K.6, SOP class 1.2.840.10008.5.1.4.31)
 * from the exams registered in the app, the only source of truth: each C-FIND
 * reads the database, so an exam that was cancelled or whose images arrived is
 * gone from the next query. A device sees only its own clinic's exams still
 * waiting for images; text comes in the character set declared for it.
 */
@inject()
export class WorklistService {
  constructor(protected clock: Clock) {}

  /** The active declared device with this AE title, or null (its association is refused). */
  async declaredDevice(callingAet: string, remoteAddress?: string | null) {
    const aet = callingAet.trim()
    if (!aet) return null
    const sender = await DicomSender.query().where('ae_title', aet).where('active', true).first()
    if (!sender) return null
    // Like Orthanc's DicomCheckModalityHost: the AE title is only believed from the declared host.
    if (remoteAddress && normaliseAddress(remoteAddress) !== normaliseAddress(sender.host))
      return null
    return sender
  }

  async answer(request: WorklistRequest): Promise<WorklistAnswer> {
    const sender = await this.declaredDevice(request.callingAet)
    // The association of an undeclared AE was refused already; this is the second lock.
    if (!sender)
      throw new DomainRefusal(
        'undeclared_ae',
        'interoperability.worklist.undeclared_ae',
        { aet: request.callingAet },
        403
      )
    const charset: WorklistCharset = (WORKLIST_CHARSETS as readonly string[]).includes(
      sender.worklistCharset
    )
      ? (sender.worklistCharset as WorklistCharset)
      : 'ISO_IR 192'

    const query = request.query
    const step = Array.isArray(query['0040,0100'])
      ? ((query['0040,0100'] as Record<string, unknown>[])[0] ?? {})
      : {}
    const exams = Exam.query()
      .where('institution_id', sender.institutionId)
      .where('status', 'registered')
      .whereNull('cancelled_at')
      .where(
        'registered_at',
        '>=',
        this.clock.now().minus({ days: WORKLIST_DAYS }).toUTC().toSQL({ includeOffset: false })!
      )
      .orderBy('registered_at', 'desc')
      .orderBy('id', 'desc')
      .limit(WORKLIST_MAX_ANSWERS + 1)
    const modality = exactKey(step['0008,0060'])
    if (modality) exams.where('modality', modality)
    const accession = exactKey(query['0008,0050'])
    if (accession) exams.where('accession_number', accession)
    const range = dateRange(step['0040,0002'])
    if (range?.from) exams.where('registered_at', '>=', range.from.toSQL({ includeOffset: false })!)
    if (range?.to) exams.where('registered_at', '<=', range.to.toSQL({ includeOffset: false })!)
    const patientId = exactKey(query['0010,0020'])
    if (patientId) {
      exams.whereIn(
        'patient_id',
        ClinicPatient.query()
          .select('patient_id')
          .where('institution_id', sender.institutionId)
          .where('clinic_patient_no', patientId)
      )
    }
    const found = await exams
    const incomplete = found.length > WORKLIST_MAX_ANSWERS
    const list = found.slice(0, WORKLIST_MAX_ANSWERS)
    const numbers = new Map(
      (
        await ClinicPatient.query()
          .where('institution_id', sender.institutionId)
          .whereIn('patient_id', [...new Set(list.map((e) => e.patientId))])
          .select('patient_id', 'clinic_patient_no')
      ).map((c) => [c.patientId, c.clinicPatientNo])
    )
    // Patients and catalogue items by id maps, not Lucid's preload: its matching of
    // related rows is one comparison per exam × row (quadratic, 500 × 500 per
    // relation for a full answer; bench/interoperability.ts, docs/performance.md).
    const patients = new Map(
      (await Patient.query().whereIn('id', [...new Set(list.map((e) => e.patientId))])).map((p) => [
        p.id,
        p,
      ])
    )
    const examIds = list.map((e) => e.id)
    const itemRows = examIds.length
      ? await ExamItem.query()
          .join('exam_exam_items', 'exam_exam_items.exam_item_id', 'exam_items.id')
          .whereIn('exam_exam_items.exam_id', examIds)
          .select('exam_items.*', 'exam_exam_items.exam_id as pivot_exam_id')
          .orderBy('exam_exam_items.exam_id')
          .orderBy('exam_items.id')
      : []
    const itemsByExam = new Map<number, ExamItem[]>()
    for (const row of itemRows) {
      const examId = Number(row.$extras.pivot_exam_id)
      const forExam = itemsByExam.get(examId)
      if (forExam) forExam.push(row)
      else itemsByExam.set(examId, [row])
    }
    const items = list.map((exam) =>
      this.item(
        exam,
        patients.get(exam.patientId)!,
        itemsByExam.get(exam.id) ?? [],
        numbers.get(exam.patientId) ?? '',
        sender
      )
    )
    return {
      sender,
      charset,
      items,
      incomplete,
      accessionNumbers: list.map((e) => e.accessionNumber),
    }
  }

  /** One scheduled procedure step: who, what, where and when (PS3.4 Table K.6-1). */
  protected item(
    exam: Exam,
    patient: Patient,
    items: ExamItem[],
    patientNo: string,
    sender: DicomSender
  ): Element[] {
    const scheduled = exam.registeredAt.setZone(imaging.displayTimezone)
    const description =
      items
        .map((i) => i.name)
        .join('；')
        .slice(0, 64) || exam.modality
    const codes = items.map(
      (i) =>
        [
          { tag: 0x00080100, vr: 'SH', value: itemCode(i) },
          { tag: 0x00080102, vr: 'SH', value: catalogueScheme(i.catalogue) },
          { tag: 0x00080104, vr: 'LO', value: i.name.slice(0, 64) },
        ] as Element[]
    )
    const elements: Element[] = [
      { tag: 0x00080050, vr: 'SH', value: exam.accessionNumber },
      { tag: 0x00080090, vr: 'PN', value: exam.requestingDoctor?.slice(0, 64) ?? '' },
      { tag: 0x00100010, vr: 'PN', value: patient.name },
      { tag: 0x00100020, vr: 'LO', value: patientNo },
      { tag: 0x00100030, vr: 'DA', value: patient.birthDate?.toFormat('yyyyMMdd') ?? '' },
      { tag: 0x00100040, vr: 'CS', value: patient.sex === 'U' ? '' : patient.sex },
      { tag: 0x0020000d, vr: 'UI', value: studyUidFor(exam) },
      { tag: 0x00321060, vr: 'LO', value: description },
      { tag: 0x00321064, vr: 'SQ', items: codes },
      { tag: 0x00401001, vr: 'SH', value: exam.accessionNumber },
      { tag: 0x00401003, vr: 'SH', value: exam.priority === 'emergency' ? 'STAT' : 'ROUTINE' },
      {
        tag: 0x00400100,
        vr: 'SQ',
        items: [
          [
            { tag: 0x00080060, vr: 'CS', value: exam.modality },
            { tag: 0x00400001, vr: 'AE', value: sender.aeTitle },
            { tag: 0x00400002, vr: 'DA', value: scheduled.toFormat('yyyyMMdd') },
            { tag: 0x00400003, vr: 'TM', value: scheduled.toFormat('HHmmss') },
            { tag: 0x00400007, vr: 'LO', value: description },
            { tag: 0x00400008, vr: 'SQ', items: codes },
            { tag: 0x00400009, vr: 'SH', value: exam.accessionNumber },
            { tag: 0x00400020, vr: 'CS', value: 'SCHEDULED' },
          ],
        ],
      },
    ]
    return elements
  }
}

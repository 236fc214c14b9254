import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { IANAZone } from 'luxon'
import DicomSender from '#models/dicom_sender'
import type ExamItem from '#models/exam_item'
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

/** One exam of the worklist as read (plain row, snake_case columns). */
interface WorklistRow {
  id: number | string
  accession_number: string
  modality: string
  priority: string
  requesting_doctor: string | null
  registered_at: Date | string
  patient_name: string
  patient_sex: string | null
  patient_birth_date: Date | string | null
  clinic_patient_no: string | null
}

interface WorklistItemRow {
  seq: number
  catalogue: ExamItem['catalogue']
  name: string
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** A stored UTC DATETIME as a Date (mysql2 gives Dates; SQLite gives `yyyy-MM-dd HH:mm:ss` text). */
function utcDate(value: Date | string) {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`)
}

/** A DATE column as DICOM DA (`yyyyMMdd`): mysql2 with timezone 'Z' gives UTC midnight. */
function dicomDate(value: Date | string | null) {
  if (!value) return ''
  if (typeof value === 'string') return value.slice(0, 10).replace(/-/g, '')
  return `${value.getUTCFullYear()}${pad(value.getUTCMonth() + 1)}${pad(value.getUTCDate())}`
}

/**
 * UTC instants as the hospital's local DA and TM. The zone's offset is looked up
 * once per quarter hour (tz transitions fall on quarter hours) instead of a luxon
 * DateTime per exam, which the profile showed as a steady share of a full answer.
 */
function localTime(zoneName: string) {
  const zone = IANAZone.create(zoneName)
  const offsets = new Map<number, number>()
  return (at: Date | string) => {
    const ms = utcDate(at).getTime()
    const bucket = Math.floor(ms / 900_000)
    let offset = offsets.get(bucket)
    if (offset === undefined) {
      offset = zone.isValid ? zone.offset(ms) : 0
      offsets.set(bucket, offset)
    }
    const t = new Date(ms + offset * 60_000)
    return {
      date: `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}`,
      time: `${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`,
    }
  }
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
    /*
    | Plain rows, not Lucid models: hydrating 500 exams and their patients into
    | models (proxy getters, luxon DateTimes per column) was the largest share of
    | the SCP's time in the profile (docs/performance.md). One query reads the
    | exams with their patient and the clinic's patient number (unique per
    | patient and clinic), selected columns only; a second reads the items.
    | The clinic + time range is read backwards on an (institution_id,
    | registered_at) index, already in answer order (no filesort; EXPLAIN in
    | docs/performance.md).
    */
    const exams = db
      .from('exams')
      .join('patients', 'patients.id', 'exams.patient_id')
      .leftJoin('clinic_patients', (join) => {
        join
          .on('clinic_patients.patient_id', '=', 'exams.patient_id')
          .andOnVal('clinic_patients.institution_id', '=', sender.institutionId)
      })
      .where('exams.institution_id', sender.institutionId)
      .where('exams.status', 'registered')
      .whereNull('exams.cancelled_at')
      .where(
        'exams.registered_at',
        '>=',
        this.clock.now().minus({ days: WORKLIST_DAYS }).toUTC().toSQL({ includeOffset: false })!
      )
      .select(
        'exams.id',
        'exams.accession_number',
        'exams.modality',
        'exams.priority',
        'exams.requesting_doctor',
        'exams.registered_at',
        'patients.name as patient_name',
        'patients.sex as patient_sex',
        'patients.birth_date as patient_birth_date',
        'clinic_patients.clinic_patient_no'
      )
      .orderBy('exams.registered_at', 'desc')
      .orderBy('exams.id', 'desc')
      .limit(WORKLIST_MAX_ANSWERS + 1)
    const modality = exactKey(step['0008,0060'])
    if (modality) exams.where('exams.modality', modality)
    const accession = exactKey(query['0008,0050'])
    if (accession) exams.where('exams.accession_number', accession)
    const range = dateRange(step['0040,0002'])
    if (range?.from)
      exams.where('exams.registered_at', '>=', range.from.toSQL({ includeOffset: false })!)
    if (range?.to)
      exams.where('exams.registered_at', '<=', range.to.toSQL({ includeOffset: false })!)
    const patientId = exactKey(query['0010,0020'])
    if (patientId) exams.where('clinic_patients.clinic_patient_no', patientId)
    const found: WorklistRow[] = await exams
    const incomplete = found.length > WORKLIST_MAX_ANSWERS
    const list = found.slice(0, WORKLIST_MAX_ANSWERS)
    const examIds = list.map((e) => Number(e.id))
    const itemRows: Array<WorklistItemRow & { exam_id: number }> = examIds.length
      ? await db
          .from('exam_items')
          .join('exam_exam_items', 'exam_exam_items.exam_item_id', 'exam_items.id')
          .whereIn('exam_exam_items.exam_id', examIds)
          .select(
            'exam_exam_items.exam_id',
            'exam_items.seq',
            'exam_items.catalogue',
            'exam_items.name'
          )
          .orderBy('exam_exam_items.exam_id')
          .orderBy('exam_items.id')
      : []
    const itemsByExam = new Map<number, WorklistItemRow[]>()
    for (const row of itemRows) {
      const examId = Number(row.exam_id)
      const forExam = itemsByExam.get(examId)
      if (forExam) forExam.push(row)
      else itemsByExam.set(examId, [row])
    }
    const local = localTime(imaging.displayTimezone)
    const items = list.map((exam) =>
      this.item(exam, itemsByExam.get(Number(exam.id)) ?? [], sender, local)
    )
    return {
      sender,
      charset,
      items,
      incomplete,
      accessionNumbers: list.map((e) => e.accession_number),
    }
  }

  /** One scheduled procedure step: who, what, where and when (PS3.4 Table K.6-1). */
  protected item(
    exam: WorklistRow,
    items: WorklistItemRow[],
    sender: DicomSender,
    local: (at: Date | string) => { date: string; time: string }
  ): Element[] {
    const scheduled = local(exam.registered_at)
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
    const accessionNumber = exam.accession_number
    const elements: Element[] = [
      { tag: 0x00080050, vr: 'SH', value: accessionNumber },
      { tag: 0x00080090, vr: 'PN', value: exam.requesting_doctor?.slice(0, 64) ?? '' },
      { tag: 0x00100010, vr: 'PN', value: exam.patient_name },
      { tag: 0x00100020, vr: 'LO', value: exam.clinic_patient_no ?? '' },
      { tag: 0x00100030, vr: 'DA', value: dicomDate(exam.patient_birth_date) },
      {
        tag: 0x00100040,
        vr: 'CS',
        value: exam.patient_sex === 'U' ? '' : (exam.patient_sex ?? ''),
      },
      { tag: 0x0020000d, vr: 'UI', value: studyUidFor({ id: Number(exam.id), accessionNumber }) },
      { tag: 0x00321060, vr: 'LO', value: description },
      { tag: 0x00321064, vr: 'SQ', items: codes },
      { tag: 0x00401001, vr: 'SH', value: accessionNumber },
      { tag: 0x00401003, vr: 'SH', value: exam.priority === 'emergency' ? 'STAT' : 'ROUTINE' },
      {
        tag: 0x00400100,
        vr: 'SQ',
        items: [
          [
            { tag: 0x00080060, vr: 'CS', value: exam.modality },
            { tag: 0x00400001, vr: 'AE', value: sender.aeTitle },
            { tag: 0x00400002, vr: 'DA', value: scheduled.date },
            { tag: 0x00400003, vr: 'TM', value: scheduled.time },
            { tag: 0x00400007, vr: 'LO', value: description },
            { tag: 0x00400008, vr: 'SQ', items: codes },
            { tag: 0x00400009, vr: 'SH', value: accessionNumber },
            { tag: 0x00400020, vr: 'CS', value: 'SCHEDULED' },
          ],
        ],
      },
    ]
    return elements
  }
}

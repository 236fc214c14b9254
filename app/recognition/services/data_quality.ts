import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import type { IndicatorValue } from '#app/platform/clinic_indicators'
import { Clock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { sqlTime, upsert } from '#app/platform/db_helpers'
import { toDateTime } from '#app/recognition/services/eligibility'
import { recognitionSettings } from '#app/recognition/services/recognition_settings'
import { notify } from '#app/recognition/services/notices'
import {
  NO_CALENDAR,
  isWorkingDay,
  workCalendar,
  type WorkCalendar,
} from '#app/recognition/services/work_calendar'

/*
| R 7.1 data quality of what each clinic uploads, per hospital day, kept in
| recognition_dq_days: recomputed for one clinic × day when an upload arrives
| or a report is signed (events.ts) and for every clinic's recent days by the
| nightly job; pages and indicators only sum these rows.
|
|   timeliness   uploads within 1 h of acquisition + reports signed by their R 7.1.1 deadline (due_at)
|   consistency  signed reports that have images + studies with images whose reading deadline passed that have a report
|   completeness the R 7.1.3 fields we hold, filled in, on each report signed that day
|   accuracy     the R 7.1.4 fields we hold agreeing with the request (see docs/architecture.md for each)
|   continuity   on a working day, the longest stretch without an upload that touches the day, counted in
|                working-day time (weekends and the calendar's public holidays are not counted, its adjusted
|                working days 调休 are: work_calendar.ts); over 24 h flags the day (R 7.1.5)
*/

export const UPLOAD_LIMIT_MINUTES = 60
const GAP_LIMIT_MINUTES = 24 * 60

/** R 7.1.3 fields the product holds for a signed exam. */
export const COMPLETENESS_FIELDS = [
  'clinical_history',
  'purpose',
  'requesting_doctor',
  'department',
  'clinical_diagnosis',
  'patient_name',
  'patient_sex',
  'patient_birth_date',
  'exam_item',
  'technique',
  'findings',
  'impression',
  'signer',
] as const

/** R 7.1.4 fields checked against the request (how each is judged: docs/architecture.md, "Mutual recognition"). */
export const ACCURACY_FIELDS = [
  'patient_name',
  'patient_sex',
  'accession',
  'exam_name',
  'department',
  'study_date',
] as const

export interface DayFigures {
  uploads: number
  uploads_timely: number
  reports: number
  reports_timely: number
  consistency_checked: number
  consistency_ok: number
  fields_expected: number
  fields_present: number
  fields_checked: number
  fields_accurate: number
  longest_gap_minutes: number | null
  working_day: boolean
  gap_over_24h: boolean
}

const zone = () => imaging.displayTimezone

export function dayBounds(day: string) {
  const start = DateTime.fromISO(day, { zone: zone() }).startOf('day')
  return { start: start.toUTC(), end: start.plus({ days: 1 }).toUTC() }
}

export { isWorkingDay }

/** Minutes of [from, to) that fall on working days (hospital time; the calendar's holidays and 调休 days, else Monday–Friday). */
export function workingMinutesBetween(
  from: DateTime,
  to: DateTime,
  calendar: WorkCalendar = NO_CALENDAR
) {
  let minutes = 0
  let cursor = from.setZone(zone())
  const end = to.setZone(zone())
  while (cursor < end) {
    const nextMidnight = cursor.startOf('day').plus({ days: 1 })
    const stop = nextMidnight < end ? nextMidnight : end
    if (isWorkingDay(cursor, calendar)) minutes += stop.diff(cursor, 'minutes').minutes
    cursor = stop
  }
  return Math.round(minutes)
}

/**
 * R 7.1.5 on one working day: the stretches between consecutive uploads (the last one before the day, those
 * during it, and the one still open at `until`) that touch the day, measured in working-day minutes.
 */
export function longestGap(
  previous: DateTime | null,
  during: DateTime[],
  dayStart: DateTime,
  until: DateTime,
  calendar: WorkCalendar = NO_CALENDAR
) {
  const points = [...(previous ? [previous] : []), ...during].sort(
    (a, b) => a.toMillis() - b.toMillis()
  )
  if (!points.length) return null
  let longest = 0
  for (let i = 1; i < points.length; i++)
    longest = Math.max(longest, workingMinutesBetween(points[i - 1], points[i], calendar))
  const last = points[points.length - 1]
  if (until > last && until > dayStart)
    longest = Math.max(longest, workingMinutesBetween(last, until, calendar))
  return longest
}

const filled = (value: unknown) =>
  value !== null && value !== undefined && String(value).trim().length > 0

function parseHeader(raw: unknown): Record<string, any> | null {
  if (!raw) return null
  if (typeof raw === 'object') return raw as Record<string, any>
  try {
    return JSON.parse(String(raw))
  } catch {
    return null
  }
}

@inject()
export class DataQuality {
  constructor(
    protected clock: Clock,
    protected orthanc: OrthancClient
  ) {}

  /** Records each study's acquisition time once (DICOM StudyDate + StudyTime from Orthanc) for the upload metrics. */
  async recordUploads(examId: number) {
    const studies = await db
      .from('exam_studies')
      .join('exams', 'exams.id', 'exam_studies.exam_id')
      .leftJoin('recognition_dq_uploads', 'recognition_dq_uploads.exam_study_id', 'exam_studies.id')
      .where('exam_studies.exam_id', examId)
      .whereNull('recognition_dq_uploads.exam_study_id')
      .select(
        'exam_studies.id',
        'exam_studies.exam_id',
        'exam_studies.orthanc_study_id',
        'exam_studies.first_received_at',
        'exams.institution_id'
      )
    for (const study of studies) {
      let acquiredAt: DateTime | null = null
      try {
        const tags =
          ((await this.orthanc.study(study.orthanc_study_id)) as any)?.MainDicomTags ?? {}
        acquiredAt = dicomTime(tags.StudyDate, tags.StudyTime)
      } catch {
        acquiredAt = null
      }
      await upsert(
        'recognition_dq_uploads',
        {
          exam_study_id: study.id,
          exam_id: study.exam_id,
          institution_id: study.institution_id,
          acquired_at: acquiredAt ? sqlTime(acquiredAt) : null,
          received_at: sqlTime(toDateTime(study.first_received_at)),
        },
        'exam_study_id'
      )
    }
  }

  /** Recomputes one clinic × hospital day from the source records and stores it. */
  async recompute(institutionId: number, day: string): Promise<DayFigures> {
    const figures = await this.compute(institutionId, day)
    await upsert(
      'recognition_dq_days',
      { institution_id: institutionId, day, ...figures, computed_at: sqlTime(this.clock.now()) },
      ['institution_id', 'day'] as any
    )
    return figures
  }

  async compute(institutionId: number, day: string): Promise<DayFigures> {
    const now = this.clock.now()
    const { start, end } = dayBounds(day)
    const until = now < end ? now : end

    // Timeliness of uploads (R 7.1.1: within 1 h of the exam)
    const uploads = await db
      .from('recognition_dq_uploads')
      .where('institution_id', institutionId)
      .where('received_at', '>=', sqlTime(start))
      .where('received_at', '<', sqlTime(end))
      .select('acquired_at', 'received_at')
    const judged = uploads.filter((u) => u.acquired_at)
    const uploadsTimely = judged.filter(
      (u) =>
        toDateTime(u.received_at).diff(toDateTime(u.acquired_at), 'minutes').minutes <=
        UPLOAD_LIMIT_MINUTES
    ).length

    // Reports signed that day: timeliness, consistency (has images), completeness, accuracy
    const signed = await db
      .from('exams')
      .join('patients', 'patients.id', 'exams.patient_id')
      .where('exams.institution_id', institutionId)
      .where('exams.report_signed_at', '>=', sqlTime(start))
      .where('exams.report_signed_at', '<', sqlTime(end))
      .select(
        'exams.id',
        'exams.accession_number',
        'exams.clinical_history',
        'exams.purpose',
        'exams.requesting_doctor',
        'exams.department',
        'exams.clinical_diagnosis',
        'exams.instance_count',
        'exams.due_at',
        'exams.report_signed_at',
        'exams.registered_at',
        'patients.name as patient_name',
        'patients.sex as patient_sex',
        'patients.birth_date as patient_birth_date'
      )
    const ids = signed.map((e) => Number(e.id))
    const versions = ids.length
      ? await db
          .from('report_versions')
          .whereIn('exam_id', ids)
          .where('status', 'signed')
          .where('version_no', 1)
          .select('exam_id', 'technique', 'findings', 'impression', 'signer_id', 'header')
      : []
    const items = ids.length
      ? await db
          .from('exam_exam_items')
          .join('exam_items', 'exam_items.id', 'exam_exam_items.exam_item_id')
          .whereIn('exam_id', ids)
          .select('exam_id', 'exam_items.name', 'exam_items.source_name')
      : []
    const studyDates = ids.length
      ? await db.from('exam_studies').whereIn('exam_id', ids).select('exam_id', 'study_date')
      : []

    let reportsTimely = 0
    let consistencyChecked = 0
    let consistencyOk = 0
    let fieldsExpected = 0
    let fieldsPresent = 0
    let fieldsChecked = 0
    let fieldsAccurate = 0
    for (const exam of signed) {
      const version = versions.find((v) => Number(v.exam_id) === Number(exam.id))
      const examItems = items.filter((i) => Number(i.exam_id) === Number(exam.id))
      if (exam.due_at && toDateTime(exam.report_signed_at) <= toDateTime(exam.due_at))
        reportsTimely++
      consistencyChecked++
      if (Number(exam.instance_count) > 0) consistencyOk++

      const values: Record<(typeof COMPLETENESS_FIELDS)[number], unknown> = {
        clinical_history: exam.clinical_history,
        purpose: exam.purpose,
        requesting_doctor: exam.requesting_doctor,
        department: exam.department,
        clinical_diagnosis: exam.clinical_diagnosis,
        patient_name: exam.patient_name,
        patient_sex: exam.patient_sex && exam.patient_sex !== 'U' ? exam.patient_sex : null,
        patient_birth_date: exam.patient_birth_date,
        exam_item: examItems.length ? 'x' : null,
        technique: version?.technique,
        findings: version?.findings,
        impression: version?.impression,
        signer: version?.signer_id,
      }
      fieldsExpected += COMPLETENESS_FIELDS.length
      fieldsPresent += COMPLETENESS_FIELDS.filter((f) => filled(values[f])).length

      const header = parseHeader(version?.header)
      if (header) {
        const checks: boolean[] = [
          header.patientName === exam.patient_name,
          header.sex === exam.patient_sex,
          header.accessionNumber === exam.accession_number,
          examItems.length > 0 &&
            examItems.every(
              (i) =>
                String(header.examName ?? '').includes(i.name) ||
                String(header.examName ?? '').includes(i.source_name)
            ),
          (header.department ?? null) === (exam.department ?? null),
        ]
        const dates = studyDates.filter(
          (s) => Number(s.exam_id) === Number(exam.id) && s.study_date
        )
        if (dates.length) {
          // the images were taken between the request and the report, in hospital days
          const from = toDateTime(exam.registered_at).setZone(zone()).toISODate()!
          const to = toDateTime(exam.report_signed_at).setZone(zone()).toISODate()!
          checks.push(
            dates.every((s) => {
              const d =
                s.study_date instanceof Date
                  ? DateTime.fromJSDate(s.study_date, { zone: 'utc' }).toISODate()!
                  : String(s.study_date).slice(0, 10)
              return d >= from && d <= to
            })
          )
        }
        fieldsChecked += checks.length
        fieldsAccurate += checks.filter(Boolean).length
      }
    }

    // Consistency the other way: studies with images (arrived that day) whose reading deadline passed must have a report.
    const arrived = await db
      .from('exams')
      .where('institution_id', institutionId)
      .where('images_received_at', '>=', sqlTime(start))
      .where('images_received_at', '<', sqlTime(end))
      .whereNotNull('due_at')
      .where('due_at', '<', sqlTime(now))
      .select('report_signed_at')
    consistencyChecked += arrived.length
    consistencyOk += arrived.filter((e) => e.report_signed_at).length

    // Continuity on working days (R 7.1.5)
    const dayStart = DateTime.fromISO(day, { zone: zone() })
    const working = isWorkingDay(dayStart, await workCalendar(dayStart, dayStart))
    let longest: number | null = null
    if (working) {
      const previous = await db
        .from('recognition_dq_uploads')
        .where('institution_id', institutionId)
        .where('received_at', '<', sqlTime(start))
        .max('received_at as at')
        .first()
      const previousAt = previous?.at ? toDateTime(previous.at) : null
      // the holidays and 调休 days the stretches cross, from the last upload before the day to its end
      const calendar = await workCalendar(previousAt ?? start, until)
      longest = longestGap(
        previousAt,
        uploads.map((u) => toDateTime(u.received_at)),
        start,
        until,
        calendar
      )
    }

    return {
      uploads: judged.length,
      uploads_timely: uploadsTimely,
      reports: signed.filter((e) => e.due_at).length,
      reports_timely: reportsTimely,
      consistency_checked: consistencyChecked,
      consistency_ok: consistencyOk,
      fields_expected: fieldsExpected,
      fields_present: fieldsPresent,
      fields_checked: fieldsChecked,
      fields_accurate: fieldsAccurate,
      longest_gap_minutes: longest,
      working_day: working,
      gap_over_24h: longest !== null && longest > GAP_LIMIT_MINUTES,
    }
  }

  /**
   * After the working-day calendar changed on `day`: every active clinic's rows from that day on, up to today.
   * A stretch without uploads that crosses the day can reach the days after it, so 14 days are redone (longer than
   * the longest holiday with its weekends); a day in the future has no rows yet.
   */
  async recomputeFrom(day: string, days = 14) {
    const today = this.clock.now().setZone(zone()).startOf('day')
    const first = DateTime.fromISO(day, { zone: zone() }).startOf('day')
    if (first > today) return 0
    const clinics = await db
      .from('institutions')
      .where('kind', 'member_clinic')
      .where('active', true)
      .select('id')
    let done = 0
    for (let d = first; d <= today && d < first.plus({ days }); d = d.plus({ days: 1 })) {
      for (const clinic of clinics) await this.recompute(Number(clinic.id), d.toISODate()!)
      done++
    }
    return done
  }

  /** The nightly catch-up: studies not yet recorded, then each active clinic's last `days` hospital days. */
  async rollUp(days = 3) {
    const missing = await db
      .from('exam_studies')
      .leftJoin('recognition_dq_uploads', 'recognition_dq_uploads.exam_study_id', 'exam_studies.id')
      .whereNull('recognition_dq_uploads.exam_study_id')
      .distinct('exam_studies.exam_id')
      .limit(5000)
    for (const row of missing) await this.recordUploads(Number(row.exam_id))
    const clinics = await db
      .from('institutions')
      .where('kind', 'member_clinic')
      .where('active', true)
      .select('id')
    const today = this.clock.now().setZone(zone()).startOf('day')
    for (let back = days; back >= 0; back--) {
      const day = today.minus({ days: back }).toISODate()!
      for (const clinic of clinics) await this.recompute(Number(clinic.id), day)
    }
  }

  /**
   * Alerts (R 7.1): a metric of the month so far below its threshold tells the clinic's head and the centre's
   * QC officers, once per clinic × metric × month.
   */
  async alertBelowThreshold(month: string) {
    const from = DateTime.fromISO(`${month}-01`, { zone: zone() })
    const to = from.plus({ months: 1 })
    const clinics = await db
      .from('institutions')
      .where('kind', 'member_clinic')
      .where('active', true)
      .select('id', 'name')
    const figures = await dataQualityByClinic(
      from,
      to,
      clinics.map((c) => Number(c.id))
    )
    const settings = await recognitionSettings()
    const qcOfficers = (
      await db
        .from('users')
        .join('institutions', 'institutions.id', 'users.institution_id')
        .where('institutions.kind', 'lead_hospital')
        .where('users.role', 'qc_officer')
        .where('users.status', 'active')
        .select('users.id')
    ).map((u) => Number(u.id))
    const sent: Array<{ institutionId: number; metric: string }> = []
    for (const clinic of clinics) {
      const figure = figures.get(Number(clinic.id))
      if (!figure) continue
      for (const metric of [
        'timeliness',
        'consistency',
        'completeness',
        'accuracy',
        'continuity_gap_days',
      ] as const) {
        const value = figure[metric].value
        const threshold = settings[`dq_${metric}`]
        if (value === null) continue
        const below = metric === 'continuity_gap_days' ? value > threshold : value < threshold
        if (!below) continue
        const already = await db
          .from('recognition_dq_alerts')
          .where('institution_id', clinic.id)
          .where('metric', metric)
          .where('period', month)
          .first()
        if (already) continue
        const heads = await clinicHeads(Number(clinic.id))
        const recipients = [...heads, ...qcOfficers]
        await db.table('recognition_dq_alerts').insert({
          institution_id: clinic.id,
          metric,
          period: month,
          value,
          threshold,
          recipients: JSON.stringify(recipients),
          sent_at: sqlTime(this.clock.now()),
        })
        await notify(
          recipients,
          'dq_alert',
          'recognition.notices.dq_below',
          { institution: clinic.name, metric, value, threshold, month },
          this.clock.now()
        )
        sent.push({ institutionId: Number(clinic.id), metric })
      }
    }
    return sent
  }
}

/** DICOM DA + TM in hospital time (the modality's clock), or null when either is missing or malformed. */
export function dicomTime(date?: string | null, time?: string | null) {
  if (!date || !/^\d{8}$/.test(date) || !time || !/^\d{4,6}/.test(time)) return null
  const t = time.padEnd(6, '0').slice(0, 6)
  const parsed = DateTime.fromFormat(`${date}${t}`, 'yyyyMMddHHmmss', { zone: zone() })
  return parsed.isValid ? parsed.toUTC() : null
}

export interface ClinicDataQuality {
  timeliness: IndicatorValue
  consistency: IndicatorValue
  completeness: IndicatorValue
  accuracy: IndicatorValue
  continuity_gap_days: IndicatorValue
}

const rate = (numerator: number, denominator: number): IndicatorValue => ({
  value: denominator ? numerator / denominator : null,
  numerator,
  denominator,
})

/** Sums the daily rows of [from, to) per clinic: one grouped query over recognition_dq_days. */
export async function dataQualityByClinic(from: DateTime, to: DateTime, clinicIds: number[]) {
  const result = new Map<number, ClinicDataQuality>()
  if (!clinicIds.length) return result
  const rows = await db
    .from('recognition_dq_days')
    .whereIn('institution_id', clinicIds)
    .where('day', '>=', from.setZone(zone()).toISODate()!)
    .where('day', '<', to.setZone(zone()).toISODate()!)
    .groupBy('institution_id')
    .select('institution_id')
    .sum('uploads as uploads')
    .sum('uploads_timely as uploads_timely')
    .sum('reports as reports')
    .sum('reports_timely as reports_timely')
    .sum('consistency_checked as consistency_checked')
    .sum('consistency_ok as consistency_ok')
    .sum('fields_expected as fields_expected')
    .sum('fields_present as fields_present')
    .sum('fields_checked as fields_checked')
    .sum('fields_accurate as fields_accurate')
    .select(db.raw('SUM(CASE WHEN gap_over_24h THEN 1 ELSE 0 END) as gap_days'))
    .select(db.raw('SUM(CASE WHEN working_day THEN 1 ELSE 0 END) as working_days'))
  for (const id of clinicIds) {
    const r = rows.find((row) => Number(row.institution_id) === id)
    const n = (key: string) => Number(r?.[key] ?? 0)
    result.set(id, {
      timeliness: rate(n('uploads_timely') + n('reports_timely'), n('uploads') + n('reports')),
      consistency: rate(n('consistency_ok'), n('consistency_checked')),
      completeness: rate(n('fields_present'), n('fields_expected')),
      accuracy: rate(n('fields_accurate'), n('fields_checked')),
      continuity_gap_days: {
        value: r ? n('gap_days') : null,
        numerator: n('gap_days'),
        denominator: n('working_days'),
      },
    })
  }
  return result
}

/** Per day rows of one clinic, for the page's daily view. */
export function dataQualityDays(institutionId: number, from: string, to: string) {
  return db
    .from('recognition_dq_days')
    .where('institution_id', institutionId)
    .where('day', '>=', from)
    .where('day', '<', to)
    .orderBy('day')
}

/** The clinic's head as critical values know them (critical_value_contacts, duty clinic_head); else its active staff. */
async function clinicHeads(institutionId: number) {
  const heads = await db
    .from('critical_value_contacts')
    .join('users', 'users.id', 'critical_value_contacts.user_id')
    .where('critical_value_contacts.duty', 'clinic_head')
    .where('users.institution_id', institutionId)
    .where('users.status', 'active')
    .select('users.id')
  const rows = heads.length
    ? heads
    : await db
        .from('users')
        .where('institution_id', institutionId)
        .where('role', 'clinic_staff')
        .where('status', 'active')
        .select('id')
  return rows.map((u) => Number(u.id))
}

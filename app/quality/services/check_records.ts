import db from '@adonisjs/lucid/services/db'
import { technologistChanged } from '#app/quality/services/workload_days'
import type { DateTime } from 'luxon'
import Exam from '#models/exam'
import ExamItem from '#models/exam_item'
import imaging from '#config/imaging'
import { centralOrthanc } from '#app/orthanc/main'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import {
  intakeFindings,
  submissionWarnings,
  type Finding,
  type IntakeSeries,
} from '#app/quality/services/automatic_checks'
import { rememberDevice, type StudyDeviceFields } from '#app/quality/services/devices'

/*
| Running the automatic checks and keeping what they found on the exam, shown
| to the clinic and the reader and counted in the QC reports. Intake checks
| run when the first images arrive and again when the report is submitted
| (by then every series is in); each run replaces the previous run's findings.
*/

/** What Orthanc holds of the exam's studies, read once. */
async function seriesOf(examId: number) {
  const studies = await db.from('exam_studies').where('exam_id', examId).select('orthanc_study_id')
  const orthanc = await centralOrthanc()
  const series: IntakeSeries[] = []
  let tags: Record<string, string> = {}
  let patient: Record<string, string> = {}
  const device: StudyDeviceFields = {
    stationName: null,
    serialNumber: null,
    manufacturer: null,
    model: null,
  }
  for (const row of studies) {
    const study = await orthanc.study(row.orthanc_study_id)
    tags = { ...study.MainDicomTags, ...tags }
    patient = { ...study.PatientMainDicomTags, ...patient }
    for (const s of await orthanc.studySeries(row.orthanc_study_id)) {
      const instances = await orthanc.seriesInstances(s.ID)
      // C 9.2.2: the device's station / identity fields, from the first series that has them.
      device.stationName ??= s.MainDicomTags.StationName || null
      device.manufacturer ??= s.MainDicomTags.Manufacturer || null
      if (instances[0] && !device.serialNumber && !device.model) {
        device.serialNumber = (await orthanc.instanceTag(instances[0].ID, '0018-1000')) || null
        device.model = (await orthanc.instanceTag(instances[0].ID, '0008-1090')) || null
      }
      series.push({
        number: s.MainDicomTags.SeriesNumber ?? s.ID.slice(0, 8),
        modality: s.MainDicomTags.Modality ?? null,
        bodyPart: s.MainDicomTags.BodyPartExamined ?? null,
        operator: s.MainDicomTags.OperatorsName ?? null,
        instances: instances.map((i) => ({
          number: i.MainDicomTags.InstanceNumber ?? null,
          position: i.MainDicomTags.ImagePositionPatient ?? null,
        })),
      })
    }
  }
  return { tags, patient, series, device, found: studies.length > 0 }
}

const running = new Map<number, Promise<unknown>>()

/** Runs of one exam's checks follow each other (an arrival and a submission can ask at once; the later run's view wins). */
export function checkIntake(examId: number, now: DateTime): Promise<Finding[]> {
  const previous = running.get(examId) ?? Promise.resolve()
  const next = previous.catch(() => {}).then(() => runIntakeChecks(examId, now))
  running.set(examId, next)
  void next
    .finally(() => {
      if (running.get(examId) === next) running.delete(examId)
    })
    .catch(() => {})
  return next
}

async function runIntakeChecks(examId: number, now: DateTime): Promise<Finding[]> {
  const exam = await Exam.find(examId)
  if (!exam) return []
  const { tags, patient, series, device, found } = await seriesOf(examId)
  if (!found) return []
  const itemIds = (
    await db.from('exam_exam_items').where('exam_id', examId).select('exam_item_id')
  ).map((r: any) => r.exam_item_id)
  const items = await ExamItem.query().whereIn('id', itemIds)
  const findings = intakeFindings({
    patientName: patient.PatientName ?? null,
    patientId: patient.PatientID ?? null,
    studyDescription: tags.StudyDescription ?? tags.RequestedProcedureDescription ?? null,
    studyDate: tags.StudyDate ?? null,
    studyTime: tags.StudyTime ?? null,
    series,
    ordered: {
      modality: exam.modality,
      bodyParts: items.map((i) => i.bodyPart),
      names: items.map((i) => i.name),
    },
    receivedAt: exam.imagesReceivedAt ?? now,
    zone: imaging.displayTimezone,
  })
  await db.transaction(async (trx) => {
    await trx.from('qc_findings').where('exam_id', examId).where('stage', 'intake').delete()
    if (findings.length) {
      await trx.table('qc_findings').multiInsert(
        findings.map((f) => ({
          exam_id: examId,
          institution_id: exam.institutionId,
          stage: 'intake',
          code: f.code,
          details: JSON.stringify(f.details),
          found_at: sqlTime(now),
        }))
      )
    }
  })
  await rememberTechnologist(exam, series)
  await rememberDevice(exam, device)
  return findings
}

/** The technologist who acquired the study: DICOM Operators' Name, matched to the clinic's roster by name. */
async function rememberTechnologist(exam: Exam, series: IntakeSeries[]) {
  const operator = series.map((s) => s.operator).find((o) => o && o.trim())
  if (!operator) return
  const name = operator.replace(/\^/g, ' ').trim()
  const staff = await db
    .from('staff_members')
    .where('institution_id', exam.institutionId)
    .where('profession', 'technologist')
    .where((q) =>
      q
        .where('full_name', name)
        .orWhere('full_name', name.replace(/\s+/g, ''))
        .orWhere('staff_no', name)
    )
    .first()
  const row = {
    exam_id: exam.id,
    operator_name: staff?.full_name ?? name.slice(0, 128),
    staff_member_id: staff?.id ?? null,
    user_id: staff?.user_id ?? null,
  }
  await db.knexQuery().table('qc_exam_technologists').insert(row).onConflict('exam_id').merge()
  // A study arriving after the signature: the workload counts the signed day under this name (Q 6.4).
  if (exam.reportSignedAt) await technologistChanged(exam.id)
}

/**
 * Before a report is submitted: the warnings of its text. With warnings and no
 * reason to override them, the submission is refused with the warnings; with a
 * reason they are recorded with it.
 */
export async function submissionCheck(
  exam: Exam,
  content: { findings: string | null; impression: string | null },
  overrideReason: string | null | undefined
) {
  const patient = await db.from('patients').where('id', exam.patientId).select('sex').first()
  const warnings = submissionWarnings({
    sex: patient?.sex ?? null,
    findings: content.findings,
    impression: content.impression,
  })
  if (warnings.length && !(overrideReason && overrideReason.trim().length >= 2)) {
    throw new DomainRefusal(
      'qc_warnings',
      'quality.refusals.qc_warnings',
      { warnings: warnings.map((w) => w.code).join(', ') },
      422
    )
  }
  return warnings
}

export async function recordSubmissionFindings(
  exam: Exam,
  warnings: Finding[],
  reason: string | null | undefined,
  by: number,
  now: DateTime
) {
  if (!warnings.length) return
  await db.table('qc_findings').multiInsert(
    warnings.map((w) => ({
      exam_id: exam.id,
      institution_id: exam.institutionId,
      stage: 'submission',
      code: w.code,
      details: JSON.stringify(w.details),
      override_reason: reason?.trim() || null,
      overridden_by_id: by,
      found_at: sqlTime(now),
    }))
  )
}

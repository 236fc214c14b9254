import Exam, { EXAM_STATUSES } from '#models/exam'
import type User from '#models/user'
import UnmatchedStudy from '#models/unmatched_study'
import { scopeExams } from '#app/access/visibility'

export interface ExamFilters {
  status?: string
  modality?: string
  priority?: string
  institutionId?: number
  search?: string
  page?: number
}

/** Lists the exams a user may see, newest first, with the usual filters. */
export class ExamDirectory {
  query(user: User, filters: ExamFilters = {}) {
    const query = scopeExams(Exam.query(), user)
      .preload('patient')
      .preload('institution')
      .preload('items')
      .orderBy('exams.registered_at', 'desc')
      .orderBy('exams.id', 'desc')
    if (filters.status && (EXAM_STATUSES as readonly string[]).includes(filters.status))
      query.where('exams.status', filters.status)
    if (filters.modality) query.where('exams.modality', filters.modality)
    if (filters.priority) query.where('exams.priority', filters.priority)
    if (filters.institutionId) query.where('exams.institution_id', filters.institutionId)
    if (filters.search) {
      const term = filters.search.trim()
      query.where((q) => {
        q.where('exams.accession_number', term).orWhereHas('patient', (p) =>
          p.where('name', 'like', `%${term}%`)
        )
      })
    }
    return query
  }

  /** The home page: the person's exams by status, the latest ten, and a clinic's open unmatched studies. */
  async homeSummary(user: User) {
    const byStatus = await scopeExams(Exam.query(), user)
      .select('status')
      .count('* as total')
      .groupBy('status')
    const counts = Object.fromEntries(
      byStatus.map((row) => [row.status, Number(row.$extras.total)])
    )
    const recent = await this.query(user).limit(10)
    const unmatchedOpen =
      user.role === 'clinic_staff'
        ? Number(
            (
              await UnmatchedStudy.query()
                .where('institution_id', user.institutionId)
                .where('status', 'open')
                .count('* as total')
            )[0].$extras.total
          )
        : 0
    return {
      counts,
      recent,
      unmatchedOpen,
      statuses: EXAM_STATUSES,
      registers: user.role === 'clinic_staff',
    }
  }

  list(user: User, filters: ExamFilters = {}, perPage = 25) {
    return this.query(user, filters).paginate(filters.page ?? 1, perPage)
  }
}

/** The JSON form of an exam in /api/v1. */
export function examJson(exam: Exam, clinicPatientNo?: string | null) {
  return {
    id: exam.id,
    accessionNumber: exam.accessionNumber,
    status: exam.status,
    priority: exam.priority,
    modality: exam.modality,
    registeredAt: exam.registeredAt.toISO(),
    imagesReceivedAt: exam.imagesReceivedAt?.toISO() ?? null,
    instanceCount: exam.instanceCount,
    clinicalHistory: exam.clinicalHistory,
    purpose: exam.purpose,
    clinicalDiagnosis: exam.clinicalDiagnosis,
    department: exam.department,
    requestingDoctor: exam.requestingDoctor,
    institution: exam.institution
      ? { id: exam.institution.id, code: exam.institution.code, name: exam.institution.name }
      : undefined,
    patient: exam.patient
      ? {
          name: exam.patient.name,
          sex: exam.patient.sex,
          birthDate: exam.patient.birthDate.toISODate(),
          nationalIdMasked: exam.patient.nationalIdMasked,
          clinicPatientNo: clinicPatientNo ?? undefined,
        }
      : undefined,
    items: exam.items?.map((item) => ({ id: item.id, name: item.name, catalogue: item.catalogue })),
  }
}

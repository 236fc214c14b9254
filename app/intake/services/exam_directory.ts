import Exam, { EXAM_STATUSES } from '#models/exam'
import type User from '#models/user'
import { scopeExams } from '#app/intake/exam_visibility'

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
    if (filters.status && (EXAM_STATUSES as readonly string[]).includes(filters.status)) query.where('exams.status', filters.status)
    if (filters.modality) query.where('exams.modality', filters.modality)
    if (filters.priority) query.where('exams.priority', filters.priority)
    if (filters.institutionId) query.where('exams.institution_id', filters.institutionId)
    if (filters.search) {
      const term = filters.search.trim()
      query.where((q) => {
        q.where('exams.accession_number', term).orWhereHas('patient', (p) => p.where('name', 'like', `%${term}%`))
      })
    }
    return query
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
    institution: exam.institution ? { id: exam.institution.id, code: exam.institution.code, name: exam.institution.name } : undefined,
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

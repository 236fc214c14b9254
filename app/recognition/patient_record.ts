import db from '@adonisjs/lucid/services/db'

/**
 * R 6.6, H 三(四): the results this clinic accepted or re-examined for its patient, as the patient's record
 * shows them (result, institution, exam time, reference; or the reason and that the patient was told).
 * Rendered by resources/views/pages/recognition/_patient_record.edge on the patient's page.
 */
export function recognitionRecordOf(clinicPatientId: number) {
  return db
    .from('recognition_decisions')
    .join('exam_items', 'exam_items.id', 'recognition_decisions.exam_item_id')
    .leftJoin('exams as new_exam', 'new_exam.id', 'recognition_decisions.new_exam_id')
    .where('recognition_decisions.clinic_patient_id', clinicPatientId)
    .select(
      'recognition_decisions.*',
      'exam_items.name as item_name',
      'new_exam.accession_number as new_accession'
    )
    .orderBy('recognition_decisions.decided_at', 'desc')
    .limit(50)
}

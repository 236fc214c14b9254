/*
| Every Bouncer policy of every capability, registered by name so templates
| can ask `@can('ExamPolicy.view', exam)`.
*/
export const policies = {
  ExamPolicy: () => import('#app/intake/policies/exam_policy'),
  AdministrationPolicy: () => import('#app/administration/policies/administration_policy'),
  StaffingPolicy: () => import('#app/staffing/policies/staffing_policy'),
  EquipmentPolicy: () => import('#app/equipment/policies/equipment_policy'),
  CriticalValuePolicy: () => import('#app/critical_values/policies/critical_value_policy'),
  ReadingPolicy: () => import('#app/reading/policies/reading_policy'),
  StoragePolicy: () => import('#app/storage/policies/storage_policy'),
  AuditPolicy: () => import('#app/audit/policies/audit_policy'),
  ApprovalPolicy: () => import('#app/approvals/policies/approval_policy'),
  ConsultationPolicy: () => import('#app/consultation/policies/consultation_policy'),
  AssessmentPolicy: () => import('#app/assessments/policies/assessment_policy'),
}

/*
| Every Bouncer policy of every capability, registered by name so templates
| can ask `@can('ExamPolicy.view', exam)`.
*/
export const policies = {
  ExamPolicy: () => import('#app/intake/policies/exam_policy'),
  AdministrationPolicy: () => import('#app/administration/policies/administration_policy'),
  StoragePolicy: () => import('#app/storage/policies/storage_policy'),
}

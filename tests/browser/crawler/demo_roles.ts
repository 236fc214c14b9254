/*
| One demo login per role the demo county has (a junior and an intermediate
| radiologist — the senior sees what the intermediate sees —, the upper-level
| hospital and a specialty centre count as their own), with a page
| each may not open (403) and a record that does not exist (404).
*/
export const DEMO_ROLES: Array<{
  username: string
  forbidden: string | null
  missing: string | null
}> = [
  { username: 'admin', forbidden: '/patients', missing: '/admin/users/999999999/edit' },
  { username: 'sec.admin', forbidden: '/storage', missing: null },
  { username: 'auditor', forbidden: '/admin/users', missing: null },
  { username: 'rad.junior', forbidden: '/admin/users', missing: '/exams/999999999' },
  { username: 'rad.mid', forbidden: '/admin/audit', missing: '/reading/exams/999999999' },
  { username: 'qc', forbidden: '/patients', missing: '/critical-values/999999999' },
  { username: 'clinic1', forbidden: '/storage', missing: '/patients/999999999' },
  { username: 'upper.rad', forbidden: '/admin/staffing', missing: '/exams/999999999' },
  { username: 'stroke', forbidden: '/storage', missing: '/exams/999999999' },
]

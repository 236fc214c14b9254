/*
| One demo login per role the demo county has (each radiologist title, the
| upper-level hospital and a specialty centre count as their own), with a page
| each may not open (403) and a record that does not exist (404).
*/
export const DEMO_ROLES: Array<{ username: string; forbidden: string | null; missing: string | null }> = [
  { username: 'admin', forbidden: '/reading', missing: '/admin/users/999999999/edit' },
  { username: 'rad.junior', forbidden: '/admin/users', missing: '/exams/999999999' },
  { username: 'rad.mid', forbidden: '/storage', missing: '/reading/exams/999999999' },
  { username: 'rad.senior', forbidden: '/admin/audit', missing: '/exams/999999999/report' },
  { username: 'qc', forbidden: '/patients', missing: '/critical-values/999999999' },
  { username: 'clinic1', forbidden: '/storage', missing: '/patients/999999999' },
  { username: 'upper.rad', forbidden: '/admin/staffing', missing: '/exams/999999999' },
  { username: 'stroke', forbidden: '/reading', missing: '/exams/999999999' },
]

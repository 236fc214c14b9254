import type User from '#models/user'

/**
 * Who does what. Clinic staff register and upload for their own clinic;
 * lead-hospital radiologists read for every clinic; QC officers score;
 * administrators manage institutions, users, devices and policies but do not
 * open clinical records by default (least privilege, C 8.5).
 */
export const ROLES = [
  'clinic_staff',
  'radiologist',
  'qc_officer',
  'admin',
  'security_admin',
  'audit_admin',
] as const
export type Role = (typeof ROLES)[number]

/** Professional title: 初级 / 中级 / 高级. Two-tier sign-off needs 中级 or above (C 4.2.1, C 9.2.3). */
export const TITLES = ['junior', 'intermediate', 'senior'] as const
export type Title = (typeof TITLES)[number]

export function hasRole(user: Pick<User, 'role'>, ...roles: Role[]) {
  return roles.includes(user.role)
}

/** 中级及以上. */
export function isIntermediateOrAbove(user: Pick<User, 'title'>) {
  return user.title === 'intermediate' || user.title === 'senior'
}

/*
| The administrators. Every policy asks these, never `role === 'admin'`, so
| that separating the three administrators (三员, MLPS 8.1.4.2: system,
| security, audit) changes only this file and the roles.
*/

/*
| MLPS 8.1.4.2 (三员分立): three roles, and an account has exactly one role, so no account holds two.
| `admin` is the system administrator (its code predates the split; existing accounts keep it).
*/

/** Institutions, users, devices, storage, catalogue, staffing: the system administrator's work. */
export function isSystemAdministrator(user: Pick<User, 'role'>) {
  return user.role === 'admin'
}

/** Roles, policies and approvals (the second person of every two-person change): the security administrator's work. */
export function isSecurityAdministrator(user: Pick<User, 'role'>) {
  return user.role === 'security_admin'
}

/** Reading and verifying the audit log, nothing else: the audit administrator's work. */
export function isAuditAdministrator(user: Pick<User, 'role'>) {
  return user.role === 'audit_admin'
}

/** Roles that open clinical records: granting one to an account waits for the security administrator. */
export const CLINICAL_ROLES: Role[] = ['clinic_staff', 'radiologist', 'qc_officer']

/*
| Roles the system administrator may not give on their own (MLPS 8.1.4.2): the clinical ones (an account
| made by the administrator, whose password the administrator chose, would read every clinic's records),
| and the other two administrators' (a second security administrator made by the system administrator
| would approve the system administrator's own requests; the audit administrator reads the audit log).
| Only giving the system administrator's own role needs no second person: it confers nothing more.
*/
export const ROLES_GRANTED_BY_APPROVAL: Role[] = [
  ...CLINICAL_ROLES,
  'security_admin',
  'audit_admin',
]

/** Whether saving an account with `next` (over `current`, or as a new account) grants such a role. */
export function grantsGuardedRole(
  next: { role: Role; institutionId: number },
  current?: { role: Role; institutionId: number } | null
) {
  if (!ROLES_GRANTED_BY_APPROVAL.includes(next.role)) return false
  if (!current) return true
  // A clinic's staff moved to another clinic read that clinic's patients: a grant as well.
  return current.role !== next.role || current.institutionId !== next.institutionId
}

/** Any of the administrators (they do not open clinical records unless clinical access is switched on). */
export function isAdministrator(user: Pick<User, 'role'>) {
  return isSystemAdministrator(user) || isSecurityAdministrator(user) || isAuditAdministrator(user)
}

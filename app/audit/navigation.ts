import AuditPolicy from '#app/audit/policies/audit_policy'
import { navigation } from '#app/platform/navigation'

const auditing = new AuditPolicy()

navigation.link({
  section: 'admin.security',
  order: 10,
  href: '/admin/audit',
  label: 'common.nav.audit',
  primary: true,
  visible: (user) => auditing.read(user),
})
navigation.link({
  section: 'admin.security',
  order: 11,
  href: '/admin/audit/verify',
  label: 'audit.verify.nav',
  visible: (user) => auditing.read(user),
})

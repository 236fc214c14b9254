import type User from '#models/user'
import { isSecurityAdministrator, isSystemAdministrator } from '#app/access/roles'
import { navigation } from '#app/platform/navigation'

// Administrators' clinical access: the system administrator asks to switch it on, either switches it off.
navigation.link({
  section: 'admin.security',
  order: 8,
  href: '/admin/clinical-access',
  label: 'access.clinical_access.nav',
  visible: (user: User) => isSystemAdministrator(user) || isSecurityAdministrator(user),
})

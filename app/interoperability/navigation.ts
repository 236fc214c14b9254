import { navigation } from '#app/platform/navigation'
import { isSystemAdministrator } from '#app/access/roles'

navigation.link({
  section: 'admin.images',
  order: 40,
  href: '/admin/interoperability',
  label: 'interoperability.nav',
  visible: (user) => isSystemAdministrator(user),
})

import EquipmentPolicy from '#app/equipment/policies/equipment_policy'
import { navigation } from '#app/platform/navigation'

const equipment = new EquipmentPolicy()

navigation.link({
  section: 'admin.alliance',
  order: 50,
  href: '/admin/equipment',
  label: 'equipment.nav',
  visible: (user) => equipment.manage(user),
})

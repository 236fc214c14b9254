import StaffingPolicy from '#app/staffing/policies/staffing_policy'
import { navigation } from '#app/platform/navigation'

const staffing = new StaffingPolicy()

navigation.link(
  {
    section: 'admin.alliance',
    order: 30,
    href: '/admin/staffing/roster',
    label: 'staffing.nav.roster',
    visible: (user) => staffing.manage(user),
  },
  {
    section: 'admin.alliance',
    order: 40,
    href: '/admin/staffing',
    label: 'staffing.nav.calculator',
    primary: true,
    visible: (user) => staffing.manage(user),
  }
)

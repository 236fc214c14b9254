import CriticalValuePolicy from '#app/critical_values/policies/critical_value_policy'
import { navigation } from '#app/platform/navigation'

const criticalValues = new CriticalValuePolicy()

navigation.link(
  {
    section: 'main',
    order: 40,
    href: '/critical-values',
    label: 'critical_values.nav.registry',
    visible: (user) => criticalValues.registry(user),
  },
  {
    section: 'admin.reading',
    order: 20,
    href: '/admin/critical-findings',
    label: 'critical_values.nav.findings',
    visible: (user) => criticalValues.manage(user),
  },
  {
    section: 'admin.reading',
    order: 30,
    href: '/admin/critical-contacts',
    label: 'critical_values.nav.contacts',
    visible: (user) => criticalValues.manage(user),
  }
)

import ReadingPolicy from '#app/reading/policies/reading_policy'
import { navigation } from '#app/platform/navigation'

const reading = new ReadingPolicy()

navigation.link(
  {
    section: 'main',
    order: 5,
    href: '/reading',
    label: 'reading.nav.queue',
    visible: (user) => reading.read(user),
  },
  {
    section: 'main',
    order: 50,
    href: '/reports',
    label: 'reading.nav.reports',
    visible: (user) => reading.seeReports(user),
  },
  {
    section: 'admin.reading',
    order: 10,
    href: '/admin/reading',
    label: 'reading.nav.settings',
    visible: (user) => reading.configure(user),
  }
)

import { navigation } from '#app/platform/navigation'
import { managesRecognition, seesRecognitionFigures } from '#app/recognition/recognition_access'

navigation.link(
  {
    section: 'main',
    order: 60,
    href: '/recognition/statistics',
    label: 'recognition.nav.statistics',
    visible: (user) => seesRecognitionFigures(user) && user.role !== 'admin',
  },
  {
    section: 'admin.alliance',
    order: 50,
    href: '/admin/recognition',
    label: 'recognition.nav.eligibility',
    primary: true,
    visible: (user) => managesRecognition(user),
  },
  {
    section: 'admin.alliance',
    order: 55,
    href: '/recognition/data-quality',
    label: 'recognition.nav.data_quality',
    visible: (user) => managesRecognition(user),
  },
  {
    section: 'admin.alliance',
    order: 56,
    href: '/recognition/statistics',
    label: 'recognition.nav.statistics',
    visible: (user) => managesRecognition(user),
  }
)

// Suspensions (to administrators) and data-quality alerts (to clinic heads and QC officers) wait on the home page.
navigation.panel({
  key: 'recognition.notices',
  order: 5,
  view: 'pages/recognition/_home_panel',
  visible: () => true,
  load: async (user) => {
    const { unreadNotices } = await import('#app/recognition/services/notices')
    return { notices: await unreadNotices(user.id) }
  },
})

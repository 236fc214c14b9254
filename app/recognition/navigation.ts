import { navigation } from '#app/platform/navigation'
import { managesRecognition, seesRecognitionFigures } from '#app/recognition/recognition_access'

navigation.link(
  { section: 'main', order: 60, href: '/recognition/statistics', label: 'recognition.nav.statistics', visible: (user) => seesRecognitionFigures(user) && user.role !== 'admin' },
  { section: 'admin.alliance', order: 50, href: '/admin/recognition', label: 'recognition.nav.eligibility', primary: true, visible: (user) => managesRecognition(user) },
  { section: 'admin.alliance', order: 55, href: '/recognition/data-quality', label: 'recognition.nav.data_quality', visible: (user) => managesRecognition(user) },
  { section: 'admin.alliance', order: 56, href: '/recognition/statistics', label: 'recognition.nav.statistics', visible: (user) => managesRecognition(user) }
)

import ExamPolicy from '#app/intake/policies/exam_policy'
import AdministrationPolicy from '#app/administration/policies/administration_policy'
import { navigation } from '#app/platform/navigation'

const exams = new ExamPolicy()
const administration = new AdministrationPolicy()

navigation.link(
  {
    section: 'main',
    order: 10,
    href: '/patients',
    label: 'common.nav.patients',
    visible: (user) => exams.register(user),
  },
  {
    section: 'main',
    order: 20,
    href: '/exams',
    label: 'common.nav.exams',
    visible: (user) => exams.list(user),
  },
  {
    section: 'main',
    order: 30,
    href: '/unmatched',
    label: 'common.nav.unmatched',
    visible: (user) => exams.register(user),
  },
  // Arrivals the change feed could not process, and series held apart from their study.
  {
    section: 'admin.images',
    order: 15,
    href: '/admin/arrival-problems',
    label: 'intake.feed.title',
    visible: (user) => administration.manage(user),
  }
)

navigation.panel({
  key: 'intake.exams',
  order: 20,
  view: 'pages/intake/_home_panel',
  visible: (user) => exams.list(user),
  load: async (user) => {
    const { ExamDirectory } = await import('#app/intake/services/exam_directory')
    return new ExamDirectory().homeSummary(user)
  },
})

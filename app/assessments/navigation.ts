import AssessmentPolicy from '#app/assessments/policies/assessment_policy'
import { navigation } from '#app/platform/navigation'

const assessments = new AssessmentPolicy()

navigation.link(
  {
    section: 'main',
    order: 60,
    href: '/assessments',
    label: 'assessments.nav.assessments',
    visible: (user) => assessments.view(user),
  },
  {
    section: 'main',
    order: 61,
    href: '/assessments/bulletins',
    label: 'assessments.nav.bulletins',
    visible: (user) => assessments.readBulletins(user) && !assessments.view(user),
  }
)

// The latest published bulletin, on every member's and the centre's home page (C 9.3 通报质控数据).
navigation.panel({
  key: 'assessments.bulletin',
  order: 5,
  view: 'pages/assessments/_bulletin_panel',
  visible: (user) => assessments.readBulletins(user),
  load: async (user) => {
    const { homeBulletin } = await import('#app/assessments/services/home_panels')
    return homeBulletin(user)
  },
})

// Open corrective actions past their date: the QC officers see all, a clinic head their clinic's (C 9.2.1 闭环).
navigation.panel({
  key: 'assessments.overdue_actions',
  order: 6,
  view: 'pages/assessments/_actions_panel',
  visible: (user) => assessments.view(user),
  load: async (user) => {
    const { overdueActionsFor } = await import('#app/assessments/services/home_panels')
    return overdueActionsFor(user)
  },
})

import { navigation } from '#app/platform/navigation'
import { qualityPolicy } from '#app/quality/policies/quality_policy'

navigation.link(
  {
    section: 'main',
    order: 60,
    href: '/quality/reports',
    label: 'quality.nav.reports',
    visible: (user) => qualityPolicy.reports(user),
  },
  {
    section: 'main',
    order: 61,
    href: '/quality/sessions',
    label: 'quality.nav.sessions',
    visible: (user) => qualityPolicy.officer(user),
  },
  {
    section: 'main',
    order: 62,
    href: '/quality/gold',
    label: 'quality.nav.gold',
    visible: (user) =>
      qualityPolicy.officer(user) || (user.role === 'radiologist' && user.title === 'senior'),
  },
  {
    section: 'main',
    order: 63,
    href: '/quality/sheets',
    label: 'quality.nav.sheets',
    visible: (user) => qualityPolicy.officer(user),
  },
  {
    section: 'main',
    order: 64,
    href: '/quality/checklists',
    label: 'quality.nav.checklists',
    visible: (user) => user.role === 'qc_officer',
  },
  {
    section: 'main',
    order: 65,
    href: '/quality/sampling',
    label: 'quality.nav.sampling',
    visible: (user) => user.role === 'qc_officer',
  },
  {
    section: 'admin.reading',
    order: 50,
    href: '/quality/checklists',
    label: 'quality.nav.checklists',
    visible: (user) => qualityPolicy.administer(user) && user.role !== 'qc_officer',
  },
  {
    section: 'admin.reading',
    order: 51,
    href: '/quality/sampling',
    label: 'quality.nav.sampling',
    visible: (user) => qualityPolicy.administer(user) && user.role !== 'qc_officer',
  }
)

navigation.panel(
  {
    key: 'quality.workspace',
    order: 5,
    view: 'pages/quality/_home_panel',
    visible: (user) => qualityPolicy.officer(user),
    load: async (user) => {
      const { officerHome } = await import('#app/quality/services/qc_home')
      return officerHome(user)
    },
  },
  {
    key: 'quality.failures',
    order: 90,
    view: 'pages/quality/_failures_panel',
    visible: (user) => user.role === 'radiologist' || user.role === 'clinic_staff',
    load: async (user) => {
      const { personalHome } = await import('#app/quality/services/qc_home')
      return personalHome(user)
    },
  }
)

import ConsultationPolicy from '#app/consultation/policies/consultation_policy'
import { navigation } from '#app/platform/navigation'

const consultations = new ConsultationPolicy()

navigation.link({
  section: 'main',
  order: 45,
  href: '/consultations',
  label: 'consultation.nav.consultations',
  visible: (user) => consultations.list(user),
})
navigation.link(
  {
    section: 'main',
    order: 46,
    href: '/shared-exams',
    label: 'consultation.nav.shared_exams',
    visible: (user) => consultations.sharedList(user),
  },
  {
    // C 4.2.3: the upper-level hospital's queue of what was escalated to it.
    section: 'main',
    order: 47,
    href: '/upper-consultations',
    label: 'consultation.nav.upper_consultations',
    visible: (user) => consultations.upperList(user),
  },
  {
    section: 'admin.reading',
    order: 40,
    href: '/admin/share-rules',
    label: 'consultation.nav.share_rules',
    visible: (user) => consultations.manageSharing(user),
  }
)

// The centre's dashboard: each clinic's report sharing rate this month (C 9.4 ≥ 95 %) and the open consultations.
navigation.panel({
  key: 'consultation.dashboard',
  order: 35,
  view: 'pages/consultation/_home_panel',
  visible: (user) => consultations.dashboard(user),
  load: async () => {
    const { consultationDashboard } =
      await import('#app/consultation/services/consultation_dashboard')
    return consultationDashboard()
  },
})

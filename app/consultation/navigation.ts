import ConsultationPolicy from '#app/consultation/policies/consultation_policy'
import { navigation } from '#app/platform/navigation'

const consultations = new ConsultationPolicy()

navigation.link({ section: 'main', order: 45, href: '/consultations', label: 'consultation.nav.consultations', visible: (user) => consultations.list(user) })

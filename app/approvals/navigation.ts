import ApprovalPolicy from '#app/approvals/policies/approval_policy'
import { navigation } from '#app/platform/navigation'

const approvals = new ApprovalPolicy()

navigation.link({
  section: 'admin.security',
  order: 5,
  href: '/approvals',
  label: 'approvals.nav',
  primary: true,
  visible: (user) => approvals.decide(user),
})

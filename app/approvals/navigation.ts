import ApprovalPolicy from '#app/approvals/policies/approval_policy'
import { isAdministrator, isSecurityAdministrator } from '#app/access/roles'
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

// The system and audit administrators ask for two-person changes; their requests (and an approved
// export's one download) are listed here.
navigation.link({
  section: 'admin.security',
  order: 6,
  href: '/approvals/mine',
  label: 'approvals.mine.title',
  visible: (user) => isAdministrator(user) && !isSecurityAdministrator(user),
})

import AdministrationPolicy from '#app/administration/policies/administration_policy'
import { navigation } from '#app/platform/navigation'

const administration = new AdministrationPolicy()
const manages = (user: Parameters<AdministrationPolicy['manage']>[0]) => administration.manage(user)

// The administrator's menu, grouped as the work is; other capabilities add their links to these groups.
navigation.group(
  { key: 'admin.alliance', title: 'admin.menu.alliance', order: 10 },
  { key: 'admin.images', title: 'admin.menu.images', order: 20 },
  { key: 'admin.reading', title: 'admin.menu.reading', order: 30 },
  { key: 'admin.security', title: 'admin.menu.security', order: 40 }
)

navigation.link(
  {
    section: 'admin.alliance',
    order: 10,
    href: '/admin/institutions',
    label: 'common.nav.institutions',
    primary: true,
    visible: manages,
  },
  {
    section: 'admin.alliance',
    order: 20,
    href: '/admin/users',
    label: 'common.nav.users',
    primary: true,
    visible: manages,
  },
  {
    section: 'admin.images',
    order: 10,
    href: '/admin/senders',
    label: 'common.nav.senders',
    visible: manages,
  },
  {
    section: 'admin.images',
    order: 20,
    href: '/admin/catalogue',
    label: 'common.nav.catalogue',
    visible: manages,
  }
)

navigation.panel({
  key: 'administration.counts',
  order: 10,
  view: 'pages/administration/_home_panel',
  visible: manages,
  load: async () => {
    const { InstitutionRegistry } =
      await import('#app/administration/services/institution_registry')
    return new InstitutionRegistry().homeCounts()
  },
})

/*
| Every administrator page, grouped as the work is: one list feeds both the
| short top navigation (`primary`) and the administrator's home page.
*/
export interface AdminLink {
  href: string
  label: string
  primary?: boolean
}

export interface AdminSection {
  title: string
  links: AdminLink[]
}

export const ADMIN_MENU: AdminSection[] = [
  {
    title: 'admin.menu.alliance',
    links: [
      { href: '/admin/institutions', label: 'common.nav.institutions', primary: true },
      { href: '/admin/users', label: 'common.nav.users', primary: true },
      { href: '/admin/staffing/roster', label: 'staffing.nav.roster' },
      { href: '/admin/staffing', label: 'staffing.nav.calculator', primary: true },
      { href: '/admin/equipment', label: 'equipment.nav' },
    ],
  },
  {
    title: 'admin.menu.images',
    links: [
      { href: '/admin/senders', label: 'common.nav.senders' },
      { href: '/admin/arrival-problems', label: 'intake.feed.title' },
      { href: '/admin/catalogue', label: 'common.nav.catalogue' },
      { href: '/storage', label: 'storage.nav', primary: true },
    ],
  },
  {
    title: 'admin.menu.reading',
    links: [
      { href: '/admin/reading', label: 'reading.nav.settings' },
      { href: '/admin/critical-findings', label: 'critical_values.nav.findings' },
      { href: '/admin/critical-contacts', label: 'critical_values.nav.contacts' },
    ],
  },
  {
    title: 'admin.menu.security',
    links: [{ href: '/admin/audit', label: 'common.nav.audit', primary: true }],
  },
]

export const ADMIN_PRIMARY_LINKS = ADMIN_MENU.flatMap((section) => section.links.filter((link) => link.primary))

import type User from '#models/user'

/*
| Where each capability shows up in the page shell, registered by the
| capability itself (app/<capability>/navigation.ts, loaded by
| start/navigation.ts): links in the top bar, groups of the administrator's
| menu, and panels of the home page. Who sees a link is asked of the
| capability's policy, so the layout restates no role rule.
*/

export type Viewer = User

export interface NavLink {
  href: string
  /** i18n key */
  label: string
  /** smaller comes first */
  order: number
  /** 'main' for the top bar, or the key of an administrator's menu group */
  section: string
  /** an administrator's link that is also in the top bar */
  primary?: boolean
  visible: (user: Viewer) => boolean
}

export interface NavGroup {
  key: string
  /** i18n key */
  title: string
  order: number
}

export interface HomePanel {
  key: string
  order: number
  /** the partial that renders it, given `panel` (what load returned) */
  view: string
  visible: (user: Viewer) => boolean
  load: (user: Viewer) => Promise<Record<string, unknown>>
}

class Navigation {
  #links: NavLink[] = []
  #groups = new Map<string, NavGroup>()
  #panels = new Map<string, HomePanel>()

  link(...links: NavLink[]) {
    this.#links.push(...links)
  }

  group(...groups: NavGroup[]) {
    for (const group of groups) this.#groups.set(group.key, group)
  }

  panel(...panels: HomePanel[]) {
    for (const panel of panels) {
      if (this.#panels.has(panel.key))
        throw new Error(`home panel "${panel.key}" is registered twice`)
      this.#panels.set(panel.key, panel)
    }
  }

  /** The top bar: the person's main links, then an administrator's primary ones. */
  topBar(user: Viewer) {
    return this.#links
      .filter((link) => (link.section === 'main' || link.primary) && link.visible(user))
      .sort(
        (a, b) =>
          (a.section === 'main' ? 0 : 1) - (b.section === 'main' ? 0 : 1) || a.order - b.order
      )
  }

  /** The administrator's menu, grouped as the work is (home page and the menu page). */
  menu(user: Viewer) {
    return [...this.#groups.values()]
      .sort((a, b) => a.order - b.order)
      .map((group) => ({
        ...group,
        links: this.#links
          .filter((link) => link.section === group.key && link.visible(user))
          .sort((a, b) => a.order - b.order),
      }))
      .filter((group) => group.links.length > 0)
  }

  /** Whether a person has any menu beyond the top bar (then the top bar links to it). */
  hasMenu(user: Viewer) {
    return this.menu(user).length > 0
  }

  async homePanels(user: Viewer) {
    const panels = [...this.#panels.values()]
      .filter((panel) => panel.visible(user))
      .sort((a, b) => a.order - b.order)
    return Promise.all(
      panels.map(async (panel) => ({
        key: panel.key,
        view: panel.view,
        data: await panel.load(user),
      }))
    )
  }
}

export const navigation = new Navigation()

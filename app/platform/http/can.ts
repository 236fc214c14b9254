import type { HttpContext } from '@adonisjs/core/http'

/**
 * A use case's `allow` / `allowOn` step from a Bouncer policy ability, e.g.
 * `allow: can('ReadingPolicy', 'read')`. The same abilities answer `@can` in views.
 */
export function can(policy: string, ability: string) {
  return (ctx: HttpContext, target?: unknown) => {
    const bouncer = (ctx as any).bouncer.with(policy)
    return target === undefined ? bouncer.allows(ability) : bouncer.allows(ability, target)
  }
}

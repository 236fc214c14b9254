import type { HttpContext } from '@adonisjs/core/http'
import { DomainRefusal } from '#app/platform/domain_refusal'

/*
| One normalisation of what a request carries, before any validator sees it.
| A filter form left at 全部 or with an empty date sends `?modality=&from=`:
| those values are absent, exactly as an empty form field is (the body parser
| turns those into null). A query parameter sent twice (`?status=a&status=b`)
| is not a value any filter takes: refused with 422, never a 500.
*/

export function normaliseQuery(query: Record<string, unknown>): Record<string, unknown> {
  const normalised: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(query)) {
    const cleaned = normaliseValue(value)
    if (cleaned !== undefined) normalised[key] = cleaned
  }
  return normalised
}

function normaliseValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string') return value.trim() === '' ? undefined : value
  if (Array.isArray(value)) {
    const items = value.map(normaliseValue).filter((item) => item !== undefined)
    return items.length ? items : undefined
  }
  if (typeof value === 'object') {
    const nested = normaliseQuery(value as Record<string, unknown>)
    return Object.keys(nested).length ? nested : undefined
  }
  return value
}

/** Query parameters given more than once or in bracket form (`a[]=`, `a[b]=`) where one value is expected. */
export function refuseRepeatedParameters(
  query: Record<string, unknown>,
  allowLists: readonly string[] = []
) {
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && typeof value === 'object' && !allowLists.includes(key)) {
      throw new DomainRefusal(
        'invalid_parameter',
        'common.errors.invalid_parameter',
        { name: key },
        422
      )
    }
  }
}

/**
 * What a validator validates: the normalised query string for reads; for
 * writes the body with the query string under it (route forms post to URLs
 * that carry no query of their own).
 */
export function requestInput(ctx: HttpContext) {
  const query = normaliseQuery(ctx.request.qs())
  if (ctx.request.method() === 'GET' || ctx.request.method() === 'HEAD') return query
  return { ...query, ...ctx.request.body(), ...ctx.request.allFiles() }
}

/** The filters of a list without its page number (for pagination links and exports). */
export function withoutPage(query: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(query).filter(([key]) => key !== 'page'))
}

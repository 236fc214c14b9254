import type { HttpContext } from '@adonisjs/core/http'
import { errors as vineErrors } from '@vinejs/vine'
import type { VineValidator } from '@vinejs/vine'
import type User from '#models/user'
import type { AuditOutcome } from '#models/audit_event'
import { audit, actorOf } from '#app/platform/audit/audit_log'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { wantsJson, isMachineRequest } from '#app/platform/http/wants_json'
import { requestInput } from '#app/platform/http/request_input'
import { auditedOnce } from '#app/platform/http/audit_once'

/*
| The request pipeline. Every controller action is one use case:
|
|   allow (may this person do this at all?)            no  → 403, audited "denied"
|   target (the record the request names)              missing or not theirs → 404, audited "denied"
|   allowOn (may they do it to this record?)           no  → 403, audited "denied"
|   input (validated; empty query values are absent)   bad → 422 / the form again, audited "refused"
|   run (one service call)                              DomainRefusal → its status, audited "refused"/"denied"
|   respond (a page or JSON: wantsJson decides)         success audited with the same fields everywhere
|
| The exception handler (app/platform/exceptions/handler.ts) turns whatever was
| thrown into the page or the JSON error; nothing here writes a response for a
| failure. Audit lines carry who, role, institution, action, target, outcome,
| IP and request id; details hold the reason code, a list's query (never its
| results) or what the action reports about itself.
*/

/** How a use case finds the one record its request names, and whether the person may see it. */
export interface RecordLoader<T> {
  /** the audit line's target type, e.g. `exam` */
  type: string
  find: (ctx: HttpContext) => Promise<T | null>
  /** false → answered exactly like a missing record (404), audited as denied with the record's id */
  visible?: (ctx: HttpContext, record: T) => boolean | Promise<boolean>
  /** the id the request names, for the audit line when nothing was found */
  requested?: (ctx: HttpContext) => string | number | null | undefined
  idOf?: (record: T) => string | number | null
}

export interface UseCaseArgs<T, I> {
  ctx: HttpContext
  user: User
  target: T
  input: I
}

type InputOf<V> =
  V extends VineValidator<any, any>
    ? Awaited<ReturnType<V['validate']>>
    : V extends (...args: any[]) => infer R
      ? Awaited<R>
      : undefined

export interface AuditSpec<T, I, R> {
  /** what the action reports about itself on success (never patient data it does not need) */
  details?: (result: R, args: UseCaseArgs<T, I>) => Record<string, unknown> | undefined
  /** when the audited target is not the loaded record (e.g. the new record a registration made) */
  target?: (
    result: R,
    args: UseCaseArgs<T, I>
  ) => { type: string; id: string | number | null } | null
  /** a use case that answers with a result which is itself a refusal (every uploaded file refused) */
  outcome?: (result: R, args: UseCaseArgs<T, I>) => AuditOutcome
  /** a key: the success is audited at most once per session for it (image views: once per study) */
  once?: (args: UseCaseArgs<T, I>) => string
  /** success lines for several targets at once (a registration that made several exams) */
  each?: (
    result: R,
    args: UseCaseArgs<T, I>
  ) => Array<{ type: string; id: string | number | null; details?: Record<string, unknown> }>
}

export interface UseCase<T, V, R> {
  /** the audit action, a dotted verb such as `report.sign` */
  action: string
  allow?: (ctx: HttpContext) => boolean | Promise<boolean>
  target?: RecordLoader<T>
  allowOn?: (ctx: HttpContext, target: T) => boolean | Promise<boolean>
  /** a VineJS validator (query string for GET, body and query otherwise) or a function that reads the input */
  input?: V
  run: (args: UseCaseArgs<T, InputOf<V>>) => Promise<R> | R
  /**
   * `false`: not audited at all (only for what is not clinical data and happens
   * every few seconds, like an autosave, whose refusals are still audited);
   * 'refusals': only failures are audited.
   */
  audit?: AuditSpec<T, InputOf<V>, R> | false | 'refusals'
  page?: (result: R, args: UseCaseArgs<T, InputOf<V>>) => unknown
  json?: (result: R, args: UseCaseArgs<T, InputOf<V>>) => unknown
}

/**
 * The person may not do this at all (their role, or this record is not theirs
 * to act on): answered with the 403 page or JSON, never as a form message.
 */
export class Forbidden extends DomainRefusal {
  constructor() {
    super('forbidden', 'common.errors.forbidden', {}, 403)
  }
}

function forbidden() {
  return new Forbidden()
}

/** A record that exists but is not this person's is answered as missing; the audit keeps its id. */
export class HiddenRecord extends DomainRefusal {
  constructor(
    public targetType: string,
    public targetId: string | number | null
  ) {
    super('not_found', 'common.errors.not_found', { what: targetType }, 404)
  }
}

export async function useCase<T = undefined, V = undefined, R = unknown>(
  ctx: HttpContext,
  spec: UseCase<T, V, R>
): Promise<unknown> {
  const auditTarget: { type?: string; id?: string | number | null } = {}
  const args = {
    ctx,
    user: ctx.auth?.user as User,
    target: undefined as T,
    input: undefined as InputOf<V>,
  }
  // Read before anything can close the socket (an over-limit upload), so the audit line can still be written.
  actorOf(ctx)
  try {
    if (spec.allow && !(await spec.allow(ctx))) throw forbidden()

    if (spec.target) {
      auditTarget.type = spec.target.type
      auditTarget.id = spec.target.requested?.(ctx) ?? ctx.params?.id ?? null
      const record = await spec.target.find(ctx)
      if (record === null || record === undefined) throw DomainRefusal.notFound(spec.target.type)
      auditTarget.id = spec.target.idOf
        ? spec.target.idOf(record)
        : ((record as any).id ?? auditTarget.id)
      if (spec.target.visible && !(await spec.target.visible(ctx, record)))
        throw new HiddenRecord(spec.target.type, auditTarget.id ?? null)
      args.target = record
    }

    if (spec.allowOn && !(await spec.allowOn(ctx, args.target))) throw forbidden()

    if (spec.input) args.input = (await readInput(ctx, spec.input, args.target)) as InputOf<V>

    const result = await spec.run(args)
    await auditSuccess(ctx, spec, args, result, auditTarget)
    return respond(ctx, spec, result, args)
  } catch (error) {
    if (
      spec.audit !== false ||
      error instanceof DomainRefusal ||
      error instanceof vineErrors.E_VALIDATION_ERROR
    ) {
      await auditFailure(ctx, spec.action, error, auditTarget)
    }
    throw error
  }
}

async function readInput(ctx: HttpContext, input: unknown, target: unknown) {
  if (typeof input === 'function')
    return (input as (ctx: HttpContext, target: unknown) => Promise<unknown>)(ctx, target)
  const validator = input as VineValidator<any, any>
  return validator.validate(requestInput(ctx), {
    messagesProvider: ctx.i18n?.createMessagesProvider(),
  })
}

function via(ctx: HttpContext) {
  return isMachineRequest(ctx) ? { via: 'api' } : {}
}

/** A list or search records its query (not its results): what was asked is what matters for an audit. */
function queryDetails(ctx: HttpContext, input: unknown) {
  if (ctx.request.method() !== 'GET' || !input || typeof input !== 'object') return {}
  const query = Object.fromEntries(
    Object.entries(input as Record<string, unknown>).filter(
      ([, v]) => v !== undefined && v !== null && v !== ''
    )
  )
  return Object.keys(query).length ? { query } : {}
}

async function auditSuccess<T, V, R>(
  ctx: HttpContext,
  spec: UseCase<T, V, R>,
  args: UseCaseArgs<T, InputOf<V>>,
  result: R,
  loaded: { type?: string; id?: string | number | null }
) {
  if (spec.audit === false || spec.audit === 'refusals') return
  const extra = spec.audit ?? {}
  if (extra.once && !auditedOnce(ctx, `${spec.action}:${extra.once(args)}`)) return
  const actor = actorOf(ctx)
  if (extra.each) {
    for (const line of extra.each(result, args)) {
      await audit.record(actor, {
        action: spec.action,
        targetType: line.type,
        targetId: line.id,
        details: { ...via(ctx), ...line.details },
      })
    }
    return
  }
  const target =
    extra.target?.(result, args) ??
    (loaded.type ? { type: loaded.type, id: loaded.id ?? null } : null)
  await audit.record(actor, {
    action: spec.action,
    outcome: extra.outcome?.(result, args) ?? 'success',
    targetType: target?.type,
    targetId: target?.id,
    details: { ...via(ctx), ...queryDetails(ctx, args.input), ...extra.details?.(result, args) },
  })
}

function failureOf(error: any): { outcome: AuditOutcome; details: Record<string, unknown> } {
  if (error instanceof DomainRefusal) {
    const denied = error.status === 403 || error.status === 404
    return {
      outcome: denied ? 'denied' : 'refused',
      details: { code: error.code, status: error.status },
    }
  }
  if (error instanceof vineErrors.E_VALIDATION_ERROR) {
    const fields = [
      ...new Set((error.messages as Array<{ field: string }>).map((m) => m.field)),
    ].slice(0, 20)
    return { outcome: 'refused', details: { code: 'validation', status: 422, fields } }
  }
  const status = typeof error?.status === 'number' ? error.status : 500
  if (status === 403 || status === 404)
    return { outcome: 'denied', details: { code: error?.code ?? 'denied', status } }
  if (status < 500)
    return { outcome: 'refused', details: { code: error?.code ?? 'refused', status } }
  return { outcome: 'failed', details: { code: error?.code ?? 'server_error', status } }
}

async function auditFailure(
  ctx: HttpContext,
  action: string,
  error: unknown,
  loaded: { type?: string; id?: string | number | null }
) {
  const { outcome, details } = failureOf(error)
  const target =
    error instanceof HiddenRecord ? { type: error.targetType, id: error.targetId } : loaded
  await audit.bestEffort(actorOf(ctx), {
    action,
    outcome,
    targetType: target.type,
    targetId: target.id ?? null,
    details: {
      ...via(ctx),
      ...details,
      ...(ctx.request.method() === 'GET' ? {} : { method: ctx.request.method() }),
    },
  })
}

function respond<T, V, R>(
  ctx: HttpContext,
  spec: UseCase<T, V, R>,
  result: R,
  args: UseCaseArgs<T, InputOf<V>>
) {
  if (wantsJson(ctx)) {
    if (spec.json) return spec.json(result, args)
    if (!spec.page) return result
    return ctx.response.status(406).send({
      errors: [{ code: 'not_acceptable', message: ctx.i18n?.t('common.errors.not_acceptable') }],
    })
  }
  if (spec.page) return spec.page(result, args)
  return result
}

/** The usual answer to a form: a message in the person's language, then where they go next (default: back). */
export function done(
  ctx: HttpContext,
  messageKey: string,
  data: Record<string, unknown> = {},
  to?: string,
  kind: 'success' | 'error' = 'success'
) {
  ctx.session?.flash(kind, ctx.i18n.t(messageKey, data))
  return to ? ctx.response.redirect(to) : ctx.response.redirect().withQs().back()
}

/** The record a numeric `:id` names (a malformed id is answered like a missing record). */
export function recordById<T>(
  type: string,
  find: (id: number) => Promise<T | null>
): RecordLoader<T> {
  return {
    type,
    find: async (ctx) => {
      const id = numericParam(ctx)
      return id ? find(id) : null
    },
  }
}

/** A numeric route parameter, or null when it is not one (a malformed id is answered like a missing record). */
export function numericParam(ctx: HttpContext, name = 'id') {
  const value = ctx.params?.[name]
  return /^\d{1,12}$/.test(String(value)) ? Number(value) : null
}

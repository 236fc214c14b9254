import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import type { HttpContext } from '@adonisjs/core/http'
import type { AuditOutcome } from '#models/audit_event'
import { appendChained } from './audit_chain.js'
import { Clock } from '#app/platform/clock'
import type User from '#models/user'

export interface AuditEntry {
  /** dotted verb, e.g. `exam.view`, `auth.login_failed`, `exam.images.upload` */
  action: string
  outcome?: AuditOutcome
  targetType?: string
  targetId?: string | number | null
  details?: Record<string, unknown>
}

export interface AuditActor {
  user?: (Pick<User, 'id' | 'username' | 'institutionId'> & { role?: string | null }) | null
  username?: string | null
  ip?: string | null
  userAgent?: string | null
  requestId?: string | null
}

/**
 * What a request's audit line says about its actor, read once and kept on the
 * context: a socket that closes mid-request (an over-limit upload) must not
 * make the audit line itself fail.
 */
export function actorOf(ctx: HttpContext, user?: AuditActor['user']): AuditActor {
  const cached = (ctx as any).__auditActor as AuditActor | undefined
  const base: AuditActor = cached ?? {
    ip: safely(() => ctx.request.ip()),
    userAgent: safely(() => ctx.request.header('user-agent') ?? null),
    requestId: safely(() => ctx.request.id() ?? null),
  }
  if (!cached) (ctx as any).__auditActor = base
  return { ...base, user: user ?? (ctx.auth?.user as AuditActor['user']) ?? null }
}

function safely<T>(read: () => T): T | null {
  try {
    return read()
  } catch {
    return null
  }
}

/**
 * The append-only audit log (C 8.3.4): who (user, role, institution), what
 * (action, target), when, from where (IP, request id), and the outcome.
 * Requests are audited by the request pipeline (app/platform/http), the same
 * way for every capability; scheduled jobs and the DICOM feed use `system()`.
 * Every call is awaited, so a change whose audit line cannot be written fails
 * rather than going unrecorded. Nothing in the app updates or deletes these
 * rows (the database refuses it too); only the retention purge removes lines
 * older than the retention period. Each line is chained to the one before
 * (audit_chain.ts), and the app's database account may not drop the triggers.
 */
class AuditLog {
  async record(actor: AuditActor, entry: AuditEntry) {
    const clock = await app.container.make(Clock)
    const details =
      entry.details && Object.keys(entry.details).length ? JSON.stringify(entry.details) : null
    // Chained to the day's previous line (audit_chain.ts): a changed, removed or slipped-in line shows.
    const id = await appendChained({
      occurred_at: clock.now(),
      actor_user_id: actor.user?.id ?? null,
      actor_username: actor.user?.username ?? actor.username ?? null,
      actor_institution_id: actor.user?.institutionId ?? null,
      actor_role: actor.user?.role ?? (actor.username === 'system' ? 'system' : null),
      action: entry.action.slice(0, 64),
      outcome: entry.outcome ?? 'success',
      target_type: entry.targetType ? entry.targetType.slice(0, 32) : null,
      target_id:
        entry.targetId === undefined || entry.targetId === null
          ? null
          : String(entry.targetId).slice(0, 64),
      ip: actor.ip ? actor.ip.slice(0, 64) : null,
      user_agent: actor.userAgent ? actor.userAgent.slice(0, 255) : null,
      request_id: actor.requestId ? actor.requestId.slice(0, 64) : null,
      details,
    })
    return id
  }

  actorFromContext(ctx: HttpContext, user?: User | null): AuditActor {
    return actorOf(ctx, user)
  }

  /**
   * For the few outcomes outside a use case (login, logout, the socket
   * handshake): the request pipeline audits everything else itself.
   */
  fromContext(ctx: HttpContext, entry: AuditEntry & { user?: User | null; username?: string }) {
    const actor = this.actorFromContext(ctx, entry.user)
    if (entry.username) actor.username = entry.username
    return this.record(actor, {
      action: entry.action,
      outcome: entry.outcome,
      targetType: entry.targetType,
      targetId: entry.targetId,
      details: entry.details,
    })
  }

  /** For scheduled jobs and the DICOM feed: the system acts, not a person. */
  system(entry: AuditEntry) {
    return this.record({ username: 'system' }, entry)
  }

  /** A failure is already on its way to the person; its audit line must not replace it with another error. */
  async bestEffort(actor: AuditActor, entry: AuditEntry) {
    try {
      await this.record(actor, entry)
    } catch (error) {
      logger.error(
        { err: error, action: entry.action },
        'could not write the audit line of a failed request'
      )
    }
  }
}

export const audit = new AuditLog()

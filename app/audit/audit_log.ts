import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import AuditEvent, { type AuditOutcome } from '#models/audit_event'
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
  user?: Pick<User, 'id' | 'username' | 'institutionId'> | null
  username?: string | null
  ip?: string | null
  userAgent?: string | null
  requestId?: string | null
}

/**
 * The append-only audit log (C 8.3.4): who, what, when, from where, outcome.
 * Every call is awaited by the caller, so a request whose audit line cannot be
 * written fails rather than going unrecorded. Nothing in the app updates or
 * deletes these rows (the database refuses it too); only the retention purge
 * removes lines older than the retention period.
 */
class AuditLog {
  async record(actor: AuditActor, entry: AuditEntry) {
    const clock = await app.container.make(Clock)
    return AuditEvent.create({
      occurredAt: clock.now(),
      actorUserId: actor.user?.id ?? null,
      actorUsername: actor.user?.username ?? actor.username ?? null,
      actorInstitutionId: actor.user?.institutionId ?? null,
      action: entry.action,
      outcome: entry.outcome ?? 'success',
      targetType: entry.targetType ?? null,
      targetId: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ? actor.userAgent.slice(0, 255) : null,
      requestId: actor.requestId ?? null,
      details: entry.details ?? null,
    })
  }

  actorFromContext(ctx: HttpContext, user?: User | null): AuditActor {
    return {
      user: user ?? ctx.auth?.user ?? null,
      ip: ctx.request.ip(),
      userAgent: ctx.request.header('user-agent') ?? null,
      requestId: ctx.request.id() ?? null,
    }
  }

  fromContext(ctx: HttpContext, entry: AuditEntry & { user?: User | null; username?: string }) {
    const actor = this.actorFromContext(ctx, entry.user)
    if (entry.username) actor.username = entry.username
    return this.record(actor, entry)
  }

  /** For scheduled jobs and the DICOM feed: the system acts, not a person. */
  system(entry: AuditEntry) {
    return this.record({ username: 'system' }, entry)
  }
}

export const audit = new AuditLog()

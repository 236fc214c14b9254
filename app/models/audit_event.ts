import { DateTime } from 'luxon'
import { BaseModel, column } from '@adonisjs/lucid/orm'

export type AuditOutcome = 'success' | 'denied' | 'refused' | 'failed'

/** One line of the append-only audit log (C 8.3.4). Written only by app/platform/audit/audit_log.ts. */
export default class AuditEvent extends BaseModel {
  @column({ isPrimary: true })
  declare id: number

  @column.dateTime()
  declare occurredAt: DateTime

  @column()
  declare actorUserId: number | null

  @column()
  declare actorUsername: string | null

  @column()
  declare actorInstitutionId: number | null

  /** the actor's role when it acted (roles change; the log keeps what was true then) */
  @column()
  declare actorRole: string | null

  @column()
  declare action: string

  @column()
  declare targetType: string | null

  @column()
  declare targetId: string | null

  @column()
  declare outcome: AuditOutcome

  @column()
  declare ip: string | null

  @column()
  declare userAgent: string | null

  @column()
  declare requestId: string | null

  @column({
    prepare: (value: Record<string, unknown> | null) => (value ? JSON.stringify(value) : null),
    consume: (value: string | null) => (value ? JSON.parse(value) : null),
  })
  declare details: Record<string, unknown> | null
}

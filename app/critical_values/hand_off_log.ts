import type { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import CriticalValueEvent, { type CriticalValueEventKind } from '#models/critical_value_event'
import type User from '#models/user'

/*
| The registry of hand-offs (core rules on critical values: who handed what
| to whom, when). Every step of a critical value writes one line here, in the
| same transaction as the change it records.
*/
export function logHandOff(
  criticalValueId: number,
  kind: CriticalValueEventKind,
  at: DateTime,
  actor: Pick<User, 'id' | 'fullName'> | null,
  details: Record<string, unknown> | null = null,
  client?: TransactionClientContract
) {
  return CriticalValueEvent.create(
    {
      criticalValueId,
      kind,
      occurredAt: at,
      actorUserId: actor?.id ?? null,
      actorName: actor?.fullName ?? null,
      details,
    },
    client ? { client } : undefined
  )
}

export { sqlTime, isDuplicateKey } from '#app/platform/db_helpers'

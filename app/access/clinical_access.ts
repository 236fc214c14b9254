import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { sqlTime, upsert } from '#app/platform/db_helpers'

/*
| Whether administrators open clinical records (C 8.5 least privilege; MLPS 8.1.4.2). Off unless the
| database says on. Switching it on waits for the security administrator (app/access/approvals.ts);
| switching it off is immediate.
|
| Every rule that asks "may an administrator see this?" calls `adminClinicalAccess()` — synchronous,
| because the visibility rules (scopeExams, canSeeExam, the policies) are. It answers from a cache that is
| safe in both directions:
| - it starts off (fail closed) and is only ever set from the database row or by a write of this process;
| - every administrator's request reads the row again before anything else (the auth middleware), so a
|   switch-off made by another process or by hand in the database counts from that administrator's next
|   request; a write in this process counts at once;
| - a read that began before a write of this process finished is discarded, so a slow read of "on" can
|   never overwrite a switch-off made meanwhile.
| Nobody else's answer depends on the setting, so only administrators' requests pay for the read.
*/

const NAME = 'admin_clinical_access'
const TABLE = 'security_settings'

let current = false
let writes = 0

/** Whether administrators currently open clinical records. */
export function adminClinicalAccess() {
  return current
}

async function storedValue() {
  const row = await db.from(TABLE).where('name', NAME).select('value').first()
  return row?.value === 'on'
}

/** Reads the setting from the database into the cache (each administrator's request; tests). */
export async function refreshAdminClinicalAccess(read: () => Promise<boolean> = storedValue) {
  const before = writes
  const on = await read()
  if (writes === before) current = on
  return current
}

/** Stores the setting and applies it in this process; returns what it was. */
export async function setAdminClinicalAccess(on: boolean, userId: number | null, now: DateTime) {
  // Counted before anything is awaited: a read already under way is discarded.
  writes += 1
  const before = await storedValue()
  await upsert(
    TABLE,
    {
      name: NAME,
      value: on ? 'on' : 'off',
      updated_by_id: userId,
      updated_at: sqlTime(now),
    },
    'name'
  )
  current = on
  return { from: before, to: on }
}

import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { upsert } from '#app/platform/db_helpers'

/*
| The department's sign-off policy. C 4.2.1 / C 9.2.3 make double review the
| rule; a department may allow a 中级+ author to sign alone (single signature),
| off unless an administrator turns it on.
*/

const SINGLE_SIGNATURE = 'single_signature'

export async function singleSignatureAllowed() {
  const row = await db
    .from('reading_settings')
    .where('name', SINGLE_SIGNATURE)
    .select('value')
    .first()
  return row?.value === 'true'
}

export async function setSingleSignature(allowed: boolean, userId: number, now: DateTime) {
  const before = await singleSignatureAllowed()
  await upsert(
    'reading_settings',
    {
      name: SINGLE_SIGNATURE,
      value: String(allowed),
      updated_by_id: userId,
      updated_at: now.toSQL({ includeOffset: false }),
    },
    'name'
  )
  return { from: before, to: allowed }
}

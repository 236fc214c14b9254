import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { sqlTime } from '#app/platform/db_helpers'

/** Messages to people, shown on their home page until read (a suspension, a data-quality alert). */
export async function notify(
  userIds: number[],
  kind: 'suspension' | 'dq_alert',
  messageKey: string,
  data: Record<string, unknown>,
  at: DateTime
) {
  const unique = [...new Set(userIds)]
  if (!unique.length) return
  await db.table('recognition_notices').multiInsert(
    unique.map((userId) => ({
      user_id: userId,
      kind,
      message_key: messageKey,
      message_data: JSON.stringify(data),
      created_at: sqlTime(at),
    }))
  )
}

export async function unreadNotices(userId: number) {
  const rows = await db
    .from('recognition_notices')
    .where('user_id', userId)
    .whereNull('read_at')
    .orderBy('created_at', 'desc')
    .limit(20)
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    messageKey: r.message_key,
    data: JSON.parse(r.message_data),
    createdAt: r.created_at,
  }))
}

export async function markNoticeRead(userId: number, id: number, at: DateTime) {
  return db
    .from('recognition_notices')
    .where('id', id)
    .where('user_id', userId)
    .update({ read_at: sqlTime(at) })
}

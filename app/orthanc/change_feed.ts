import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { OrthancError, type OrthancChange, type OrthancClient } from './orthanc_client.js'
import { sqlTime, upsert, isDuplicateKey } from '#app/platform/db_helpers'

/*
| The one reader of Orthanc's /changes feed. Capabilities subscribe to the
| change types they care about (intake links studies to exams, storage
| catalogues them) and this reader hands each change to each subscriber on
| its own:
|
| - a change a subscriber fails on is recorded as a poison change with its
|   error, retried with back-off (30 s, 2 min, 10 min, 1 h), then parked for
|   an administrator; the cursor moves on, so one study can never stop the
|   feed for every clinic;
| - when Orthanc (or the database) is unavailable nothing is poisoned: the
|   read stops where it is and resumes at the next poll;
| - the cursor is saved after every page, in the database, so a restart
|   neither loses nor doubles a change (subscribers are idempotent).
|
| Nothing here knows a capability: they register themselves (see
| app/intake/wiring.ts, app/storage/wiring.ts).
*/

export interface FeedSubscriber {
  /** a short name, kept on poison changes: "intake", "storage" */
  name: string
  changeTypes: string[]
  /** which feeds it listens to (default: the central one) */
  feeds?: (feed: string) => boolean
  handle(change: OrthancChange, context: { feed: string; client: OrthancClient }): Promise<unknown>
}

export const CENTRAL_FEED = 'orthanc-central'

/** Attempts before a poison change is parked, and the wait before each retry. */
export const POISON_BACKOFF_SECONDS = [30, 120, 600, 3600]
export const POISON_MAX_ATTEMPTS = POISON_BACKOFF_SECONDS.length + 1

const subscribers = new Map<string, FeedSubscriber>()

export function subscribeToChanges(subscriber: FeedSubscriber) {
  subscribers.set(subscriber.name, subscriber)
}

export function feedSubscribers() {
  return [...subscribers.values()]
}

/** Errors that say "try the whole thing again later", not "this change is bad". */
export function isTransient(error: any) {
  if (error instanceof OrthancError) return error.isUnreachable || (error.orthancStatus ?? 0) >= 500
  const code = String(error?.code ?? '')
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'PROTOCOL_CONNECTION_LOST',
      'ER_LOCK_DEADLOCK',
      'ER_LOCK_WAIT_TIMEOUT',
      'ER_CON_COUNT_ERROR',
      'SQLITE_BUSY',
      'E_RUNTIME_EXCEPTION_POOL',
    ].includes(code) || /Knex: Timeout acquiring a connection/.test(String(error?.message))
  )
}

export interface FeedCursor {
  load(): Promise<number>
  save(seq: number): Promise<void>
}

/** A cursor kept in feed_cursors under a name. */
export function namedCursor(name: string, now: () => DateTime): FeedCursor {
  return {
    async load() {
      const row = await db.from('feed_cursors').where('name', name).first()
      return row ? Number(row.last_seq) : 0
    },
    async save(seq: number) {
      await upsert('feed_cursors', { name, last_seq: seq, updated_at: sqlTime(now()) }, 'name')
    },
  }
}

export interface ReadSummary {
  pages: number
  handled: number
  poisoned: number
  retried: number
  stoppedBy: string | null
  /** the error that stopped the read (Orthanc or the database unavailable) */
  error?: unknown
}

export interface ReadOptions {
  feed: string
  client: OrthancClient
  cursor: FeedCursor
  now: () => DateTime
  /** only these subscribers (default: every one that listens to this feed) */
  only?: FeedSubscriber[]
  maxPages?: number
}

/** Reads a feed to its end (or maxPages), retrying its due poison changes first. */
export async function readChanges(options: ReadOptions): Promise<ReadSummary> {
  const { feed, client, cursor, now, maxPages = 50 } = options
  const listeners = (options.only ?? feedSubscribers()).filter((s) =>
    s.feeds ? s.feeds(feed) : feed === CENTRAL_FEED
  )
  const summary: ReadSummary = { pages: 0, handled: 0, poisoned: 0, retried: 0, stoppedBy: null }
  try {
    summary.retried = await retryPoison(feed, client, listeners, now)
  } catch (error) {
    summary.stoppedBy = describe(error)
    summary.error = error
    return summary
  }

  let since = await cursor.load()
  for (let page = 0; page < maxPages; page++) {
    let changes
    try {
      changes = await client.changes(since, 100)
    } catch (error) {
      summary.stoppedBy = describe(error)
      summary.error = error
      if (!isTransient(error))
        logger.error({ err: error, feed }, 'reading an Orthanc changes feed failed')
      return summary
    }
    summary.pages++
    for (const change of changes.Changes) {
      for (const subscriber of listeners) {
        if (!subscriber.changeTypes.includes(change.ChangeType)) continue
        try {
          await subscriber.handle(change, { feed, client })
          summary.handled++
        } catch (error) {
          if (isTransient(error)) {
            // Orthanc or the database went away mid-page: stop here, this change comes again next poll.
            await cursor.save(Math.max(since, change.Seq - 1))
            summary.stoppedBy = describe(error)
            summary.error = error
            return summary
          }
          await recordPoison(feed, subscriber.name, change, error, now())
          summary.poisoned++
        }
      }
      since = Math.max(since, change.Seq)
    }
    since = Math.max(since, changes.Last)
    await cursor.save(since)
    if (changes.Done) break
  }
  return summary
}

function describe(error: any) {
  return String(error?.message ?? error).slice(0, 500)
}

async function recordPoison(
  feed: string,
  subscriber: string,
  change: OrthancChange,
  error: unknown,
  now: DateTime
) {
  logger.warn(
    { err: error, feed, subscriber, seq: change.Seq, id: change.ID },
    'a change failed; recorded to be retried, the feed moves on'
  )
  const row = {
    feed,
    subscriber,
    seq: change.Seq,
    change_type: change.ChangeType.slice(0, 32),
    resource_type: String(change.ResourceType).slice(0, 16),
    resource_id: change.ID.slice(0, 64),
    attempts: 1,
    last_error: describe(error),
    status: 'retrying',
    first_failed_at: sqlTime(now),
    last_failed_at: sqlTime(now),
    next_attempt_at: sqlTime(now.plus({ seconds: POISON_BACKOFF_SECONDS[0] })),
  }
  try {
    await db.table('feed_poison_changes').insert(row)
  } catch (insertError) {
    // Read twice (a crash before the cursor was saved): the existing record counts the attempt.
    if (!isDuplicateKey(insertError)) throw insertError
    await failedAgain(feed, subscriber, change.Seq, error, now)
  }
}

async function failedAgain(
  feed: string,
  subscriber: string,
  seq: number,
  error: unknown,
  now: DateTime
) {
  const existing = await db.from('feed_poison_changes').where({ feed, subscriber, seq }).first()
  if (!existing) return
  const attempts = Number(existing.attempts) + 1
  const parked = attempts >= POISON_MAX_ATTEMPTS
  await db
    .from('feed_poison_changes')
    .where('id', existing.id)
    .update({
      attempts,
      last_error: describe(error),
      status: parked ? 'parked' : 'retrying',
      last_failed_at: sqlTime(now),
      next_attempt_at: parked
        ? null
        : sqlTime(
            now.plus({
              seconds:
                POISON_BACKOFF_SECONDS[Math.min(attempts - 1, POISON_BACKOFF_SECONDS.length - 1)],
            })
          ),
    })
  if (parked)
    logger.error(
      { feed, subscriber, seq },
      'a change failed every retry; parked for an administrator'
    )
}

/** Retries the poison changes of this feed whose wait is over. Transient errors propagate (the read stops). */
async function retryPoison(
  feed: string,
  client: OrthancClient,
  listeners: FeedSubscriber[],
  now: () => DateTime
) {
  const due = await db
    .from('feed_poison_changes')
    .where('feed', feed)
    .where('status', 'retrying')
    .where('next_attempt_at', '<=', sqlTime(now()))
    .whereIn(
      'subscriber',
      listeners.map((s) => s.name)
    )
    .orderBy('seq')
    .limit(20)
  let retried = 0
  for (const row of due) {
    const subscriber = listeners.find((s) => s.name === row.subscriber)!
    const change: OrthancChange = {
      ChangeType: row.change_type,
      ResourceType: row.resource_type,
      ID: row.resource_id,
      Seq: Number(row.seq),
      Date: '',
      Path: '',
    }
    retried++
    try {
      await subscriber.handle(change, { feed, client })
      await db
        .from('feed_poison_changes')
        .where('id', row.id)
        .update({ status: 'resolved', resolved_at: sqlTime(now()), next_attempt_at: null })
    } catch (error) {
      if (isTransient(error)) throw error
      await failedAgain(feed, row.subscriber, Number(row.seq), error, now())
    }
  }
  return retried
}

/** An administrator asks for a parked (or waiting) change to be tried again at the next read. */
export async function retryPoisonNow(id: number, now: DateTime) {
  const updated = await db
    .from('feed_poison_changes')
    .where('id', id)
    .whereIn('status', ['parked', 'retrying'])
    .update({
      status: 'retrying',
      next_attempt_at: sqlTime(now),
      attempts: POISON_MAX_ATTEMPTS - 1,
    })
  return Number(updated) > 0
}

/** Removes a subscriber (tests, or a capability switched off). */
export function unsubscribeFromChanges(name: string) {
  subscribers.delete(name)
}

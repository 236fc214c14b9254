import { createHash } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import { SessionCollection } from '@adonisjs/session'
import { configProvider } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { DateTime } from 'luxon'
import type User from '#models/user'
import securityConfig from '#config/security'

/*
| Sessions that end (MLPS 8.1.4.1 c; ASVS 3.3). A session carries the account's
| `session_epoch` at login, when it logged in and when it was last used. Ending
| every session of an account is one UPDATE (the epoch moves on: every session,
| on every app node, is refused at its next request), then the sessions are
| removed from the store, the API tokens deleted and the sockets disconnected.
*/

export const SESSION_KEYS = {
  epoch: 'auth_epoch',
  loggedInAt: 'auth_at',
  seenAt: 'auth_seen_at',
} as const

export type SessionEnd =
  | 'logout'
  | 'password_changed'
  | 'role_changed'
  | 'institution_changed'
  | 'locked'
  | 'disabled'
  | 'expired'
  | 'idle'
  | 'absolute'
  | 'revoked'

/** Socket layer hooks (app/realtime registers them): access does not import socket.io. */
type Disconnect = (userId: number) => Promise<void> | void
type DisconnectSession = (sessionId: string) => Promise<void> | void
type TokenRevoked = (tokenId: string) => Promise<void> | void
const socketHooks: { user: Disconnect[]; session: DisconnectSession[]; token: TokenRevoked[] } = {
  user: [],
  session: [],
  token: [],
}
export function onAccountSessionsEnded(handler: Disconnect) {
  socketHooks.user.push(handler)
}
export function onSessionEnded(handler: DisconnectSession) {
  socketHooks.session.push(handler)
}
/** What holds on to one API token beyond its row (the viewer's frame passes) lets go when it is revoked. */
export function onTokenRevoked(handler: TokenRevoked) {
  socketHooks.token.push(handler)
}

/** One API token was revoked (its row is already gone). */
export async function tokenRevoked(tokenId: string) {
  for (const hook of socketHooks.token) await safely(() => hook(tokenId))
}

let resolvedConfig: any = null
/**
 * The session store outside a request. A new collection each time (not the container's singleton): its
 * store takes the database connection of the moment (a test's global transaction included).
 */
export async function sessionCollection() {
  resolvedConfig ??= await configProvider.resolve(app, app.config.get('session', {}))
  return new SessionCollection(resolvedConfig)
}

/** The configured store itself (tests write a session in it as a logged-in browser would). */
export async function sessionStore() {
  resolvedConfig ??= await configProvider.resolve(app, app.config.get('session', {}))
  return resolvedConfig.stores[resolvedConfig.store](null, resolvedConfig) as {
    write(id: string, values: object): Promise<void> | void
  }
}

/** A session id is a bearer secret: rooms and tickets name its hash. */
export function sessionKey(sessionId: string) {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 32)
}

/** Stamps a fresh login into its (regenerated) session and tags it with the account. */
export async function startSession(ctx: HttpContext, user: User, now: DateTime) {
  ctx.session.put(SESSION_KEYS.epoch, user.sessionEpoch ?? 0)
  ctx.session.put(SESSION_KEYS.loggedInAt, now.toMillis())
  ctx.session.put(SESSION_KEYS.seenAt, now.toMillis())
  await tagSession(ctx, user)
}

async function tagSession(ctx: HttpContext, user: User) {
  try {
    await ctx.session.tag(String(user.id))
  } catch {
    // The cookie store cannot tag; the epoch still ends its sessions.
  }
}

/**
 * Why this session may not go on, or null. Sessions made before the epoch
 * moved, idle longer than the idle timeout or older than the absolute one end.
 * A session without the stamps (made by the test client's loginAs) is stamped now.
 */
export function sessionEnd(ctx: HttpContext, user: User, now: DateTime): SessionEnd | null {
  const session = ctx.session
  const epoch = session.get(SESSION_KEYS.epoch)
  const loggedInAt = session.get(SESSION_KEYS.loggedInAt)
  const seenAt = session.get(SESSION_KEYS.seenAt)
  if (epoch === undefined) {
    if (user.sessionEpoch) return 'revoked'
    session.put(SESSION_KEYS.epoch, 0)
  } else if (Number(epoch) !== (user.sessionEpoch ?? 0)) return 'revoked'
  const nowMs = now.toMillis()
  const { idleMinutes, absoluteHours } = securityConfig.session
  if (typeof seenAt === 'number' && nowMs - seenAt > idleMinutes * 60_000) return 'idle'
  if (typeof loggedInAt === 'number' && nowMs - loggedInAt > absoluteHours * 3_600_000)
    return 'absolute'
  if (typeof loggedInAt !== 'number') session.put(SESSION_KEYS.loggedInAt, nowMs)
  session.put(SESSION_KEYS.seenAt, nowMs)
  return null
}

/** Ends this one session (logout, a timeout): its store row and its sockets. */
export async function endThisSession(ctx: HttpContext) {
  const sessionId = ctx.session.sessionId
  await ctx.auth.use('web').logout()
  ctx.session.clear()
  ctx.session.regenerate()
  await endSessionById(sessionId)
}

async function endSessionById(sessionId: string) {
  const sessions = await sessionCollection()
  await sessions.destroy(sessionId)
  for (const hook of socketHooks.session) await safely(() => hook(sessionId))
}

/**
 * Ends every session, API token and socket of the account at once: password
 * changed, role or institution changed, locked, disabled, expired.
 * Returns the new epoch (the caller's own session may be re-stamped with it).
 */
export async function endEverySession(user: User, _why: SessionEnd) {
  await db.from('users').where('id', user.id).increment('session_epoch', 1)
  const row = await db.from('users').where('id', user.id).select('session_epoch').first()
  user.sessionEpoch = Number(row?.session_epoch ?? (user.sessionEpoch ?? 0) + 1)
  await db.from('auth_access_tokens').where('tokenable_id', user.id).delete()
  const sessions = await sessionCollection()
  if (sessions.supportsTagging()) {
    for (const tagged of await sessions.tagged(String(user.id))) await sessions.destroy(tagged.id)
  }
  for (const hook of socketHooks.user) await safely(() => hook(user.id))
  return user.sessionEpoch
}

/** The person's own session goes on after they changed their password: it gets a new id and the new epoch. */
export async function keepThisSession(ctx: HttpContext, user: User) {
  ctx.session.regenerate()
  ctx.session.put(SESSION_KEYS.epoch, user.sessionEpoch)
  await tagSession(ctx, user)
}

async function safely(work: () => unknown) {
  try {
    await work()
  } catch (error) {
    logger.error({ err: error }, 'ending sockets of a session failed')
  }
}

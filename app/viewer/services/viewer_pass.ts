import { createHash } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import securityConfig from '#config/security'
import {
  SESSION_KEYS,
  onAccountSessionsEnded,
  onSessionEnded,
  onTokenRevoked,
} from '#app/access/services/account_sessions'

/*
| A viewer asks for a CT's 300 frames within seconds, each one a request with
| the same session (or token) for the same study. The full path for each is the
| router's middleware (session row read and touched, shield, i18n, bouncer),
| the account and its clinic read, a token's last use written: measured 68 ms
| of a frame's 128 ms at the viewer's concurrency on two loaded cores.
|
| So "this session may open this study" is remembered for a few seconds once
| the full path has said yes to a retrieval (and audited the study's opening,
| once per session, as always). What is remembered is narrow:
|   - one session id (the signed cookie) or one API token, with one Study Instance UID:
|     another study, another session, another token is a miss → the full path;
|   - the person's role and clinic at that moment: who may see the study is decided
|     again on every request from the study's exam (`canSeeExam`), the held series too;
|   - PASS_MS at most, never past the session's absolute end or the token's expiry.
| Ending a session (logout, idle/absolute timeout: endThisSession) forgets its
| passes before the logout is answered; ending every session of an account
| (locked, disabled, password, role or clinic changed: endEverySession) forgets
| the account's; revoking one API token forgets that token's. So a logged-out
| session's next frame is refused at once (401, by the full path). With several
| app nodes the hooks run on the node that ended the session; another node's
| pass lapses within PASS_MS (the session store itself is shared).
*/

export const PASS_MS = 5_000
const PASS_LIMIT = 10_000

type Viewer = Pick<User, 'id' | 'role' | 'institutionId'> & { institution: { kind: string } | null }

export interface ViewerPass {
  viewer: Viewer
  sessionId: string | null
  tokenId: string | null
  until: number
}

const passes = new Map<string, ViewerPass>()

function sessionCookieName(): string {
  return app.config.get<string>('session.cookieName', 'imaging-session')
}

const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url')

/** The credentials a request presents, as pass keys: its session (signed cookie, verified) and its bearer token. */
function presented(ctx: HttpContext): string[] {
  const keys: string[] = []
  const sessionId = ctx.request.cookie(sessionCookieName(), undefined) as unknown
  if (typeof sessionId === 'string' && sessionId.length > 0) keys.push(`s:${sessionId}`)
  const authorization = ctx.request.header('authorization')
  if (authorization?.startsWith('Bearer ')) keys.push(`t:${hashOf(authorization.slice(7))}`)
  return keys
}

/** The pass this request's own credentials hold for this study, if one is still valid. */
export function passFor(ctx: HttpContext, studyUid: string, now = Date.now()): ViewerPass | null {
  for (const credential of presented(ctx)) {
    const key = `${credential}|${studyUid}`
    const pass = passes.get(key)
    if (!pass) continue
    if (pass.until > now) return pass
    passes.delete(key)
  }
  return null
}

/**
 * After the full path allowed a retrieval of this study (session or token
 * checked, account usable, study visible, audited once): the same credential
 * may retrieve the same study for PASS_MS more.
 */
export function grantPass(ctx: HttpContext, studyUid: string, now = Date.now()) {
  const user = ctx.auth.user as User & { currentAccessToken?: any }
  if (!user) return
  let credential: string
  let until = now + PASS_MS
  let sessionId: string | null = null
  let tokenId: string | null = null
  if (ctx.auth.authenticatedViaGuard === 'web') {
    sessionId = ctx.session?.sessionId ?? null
    if (!sessionId || ctx.request.cookie(sessionCookieName(), undefined) !== sessionId) return
    credential = `s:${sessionId}`
    // never past the session's absolute end (the idle one is PASS_MS away at least: this request moved it)
    const loggedInAt = ctx.session.get(SESSION_KEYS.loggedInAt)
    if (typeof loggedInAt === 'number')
      until = Math.min(until, loggedInAt + securityConfig.session.absoluteHours * 3_600_000)
  } else {
    const authorization = ctx.request.header('authorization')
    const token = user.currentAccessToken
    if (!authorization?.startsWith('Bearer ') || !token) return
    credential = `t:${hashOf(authorization.slice(7))}`
    tokenId = String(token.identifier)
    const expiresAt = token.expiresAt instanceof Date ? token.expiresAt.getTime() : null
    if (expiresAt !== null) until = Math.min(until, expiresAt)
  }
  if (until <= now) return
  if (passes.size >= PASS_LIMIT) {
    for (const [key, pass] of passes) if (pass.until <= now) passes.delete(key)
    // Still full: the oldest tenth goes (a Map keeps insertion order).
    let drop = passes.size >= PASS_LIMIT ? Math.ceil(PASS_LIMIT / 10) : 0
    for (const key of passes.keys()) {
      if (drop-- <= 0) break
      passes.delete(key)
    }
  }
  const key = `${credential}|${studyUid}`
  passes.delete(key)
  passes.set(key, {
    viewer: {
      id: user.id,
      role: user.role,
      institutionId: user.institutionId,
      institution: user.institution ? { kind: user.institution.kind } : null,
    },
    sessionId,
    tokenId,
    until,
  })
}

/** Forget the passes that match (all of them by default). */
export function forgetPasses(match: (pass: ViewerPass) => boolean = () => true) {
  for (const [key, pass] of passes) if (match(pass)) passes.delete(key)
}

/** How many passes are held (tests check the bound). */
export function passCount() {
  return passes.size
}

export const PASS_LIMIT_FOR_TESTS = PASS_LIMIT

onSessionEnded((sessionId) => forgetPasses((pass) => pass.sessionId === sessionId))
onAccountSessionsEnded((userId) => forgetPasses((pass) => pass.viewer.id === userId))
onTokenRevoked((tokenId) => forgetPasses((pass) => pass.tokenId === tokenId))

import { createHash } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import { onAccountSessionsEnded, onSessionEnded } from '#app/access/services/account_sessions'
import type { OpenStudy } from '#app/viewer/services/study_access'

/*
| A viewer asks for a CT's 300 frames within seconds, each one a request with
| the same session (or token) for the same study. The full path for each was
| the session's row read and rewritten, the user and their clinic read, the
| study's visibility decided, a token's last use written: four to five
| database round trips per frame, on the same two cores as Orthanc.
|
| So the decision "this session may open this study" is remembered for a few
| seconds once the full path has made it (and audited it once, as before):
| a retrieval of the same study with the same credentials inside that window
| is served without asking again. Nothing else is remembered: a search, another
| study, another session or token, anything Orthanc refuses, goes the full way
| (and is audited there). Ending a session (logout, timeouts) or every session
| of an account (locked, disabled, password or role or clinic changed) forgets
| its passes at once on this node; on another app node they lapse within
| PASS_MS. A single API token deleted by hand lapses within PASS_MS too.
*/

/** config/session.ts cookieName */
const SESSION_COOKIE = 'imaging-session'
export const PASS_MS = 5_000
const PASS_LIMIT = 10_000

interface Pass {
  userId: number
  sessionId: string | null
  study: OpenStudy
  until: number
}

const passes = new Map<string, Pass>()

/** The session id (signed cookie, checked) and the Authorization header: what the request proves itself with. */
function credentialsOf(ctx: HttpContext) {
  const sessionId = ctx.request.cookie(SESSION_COOKIE, undefined) as unknown
  const authorization = ctx.request.header('authorization') ?? ''
  const session = typeof sessionId === 'string' && sessionId.length > 0 ? sessionId : null
  if (!session && !authorization) return null
  const key = createHash('sha256')
    .update(`${session ?? ''}\u0000${authorization}`)
    .digest('base64url')
  return { key, session }
}

/** The study this request's credentials were already allowed to open, within the last few seconds. */
export function passFor(ctx: HttpContext, studyUid: string, now = Date.now()): Pass | null {
  const credentials = credentialsOf(ctx)
  if (!credentials) return null
  const pass = passes.get(`${credentials.key}|${studyUid}`)
  if (!pass) return null
  if (pass.until <= now) {
    passes.delete(`${credentials.key}|${studyUid}`)
    return null
  }
  return pass
}

/** After the full path allowed (and audited) a retrieval: the same credentials may retrieve this study again for PASS_MS. */
export function grantPass(ctx: HttpContext, userId: number, study: OpenStudy, now = Date.now()) {
  const credentials = credentialsOf(ctx)
  if (!credentials) return
  if (passes.size >= PASS_LIMIT) {
    for (const [key, pass] of passes) if (pass.until <= now) passes.delete(key)
    if (passes.size >= PASS_LIMIT) passes.clear()
  }
  passes.set(`${credentials.key}|${study.link.studyInstanceUid}`, {
    userId,
    sessionId: credentials.session,
    study,
    until: now + PASS_MS,
  })
}

/** Forget every pass (tests that change visibility within the same seconds). */
export function forgetPasses(match: (pass: Pass) => boolean = () => true) {
  for (const [key, pass] of passes) if (match(pass)) passes.delete(key)
}

onSessionEnded((sessionId) => forgetPasses((pass) => pass.sessionId === sessionId))
onAccountSessionsEnded((userId) => forgetPasses((pass) => pass.userId === userId))

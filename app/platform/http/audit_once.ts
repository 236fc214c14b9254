import type { HttpContext } from '@adonisjs/core/http'

/*
| "Images at most once per study per session": a viewer asks for hundreds of
| frames of one study, and one audit line says what matters (this person
| opened this study). Remembered per session (or API token) in this process;
| with several app nodes a study opened on two nodes gets one line per node.
*/

const TTL_MS = 12 * 60 * 60 * 1000
const MAX_ENTRIES = 100_000
const seen = new Map<string, number>()

function sessionKey(ctx: HttpContext) {
  // A bearer token first: a route that accepts both still starts a (new, empty) session on every token request.
  const token = (ctx.auth?.user as any)?.currentAccessToken?.identifier
  if (token) return `t:${token}`
  const sessionId = (ctx as any).session?.sessionId as string | undefined
  if (sessionId) return `s:${sessionId}`
  return `u:${ctx.auth?.user?.id ?? 'anonymous'}`
}

/** True the first time this key is seen for this session (then it should be audited). */
export function auditedOnce(ctx: HttpContext, key: string, now = Date.now()) {
  const full = `${sessionKey(ctx)}|${key}`
  const last = seen.get(full)
  if (last !== undefined && now - last < TTL_MS) return false
  if (seen.size >= MAX_ENTRIES) {
    // Oldest first (Map keeps insertion order): drop a tenth.
    let drop = Math.ceil(MAX_ENTRIES / 10)
    for (const k of seen.keys()) {
      seen.delete(k)
      if (--drop === 0) break
    }
  }
  seen.delete(full)
  seen.set(full, now)
  return true
}

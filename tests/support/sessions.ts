import { randomUUID } from 'node:crypto'
import {
  sessionCollection,
  sessionStore,
  SESSION_KEYS,
} from '#app/access/services/account_sessions'
import type User from '#models/user'
import { socketTicket } from '#app/realtime/realtime'

/**
 * A login session of this user in the server-side store (as a browser that logged in would have) and the
 * socket ticket its pages would carry: tickets are bound to a live session.
 */
export async function storedSession(user: User) {
  const sessionId = randomUUID()
  const now = Date.now()
  await (
    await sessionStore()
  ).write(sessionId, {
    auth_web: user.id,
    [SESSION_KEYS.epoch]: user.sessionEpoch ?? 0,
    [SESSION_KEYS.loggedInAt]: now,
    [SESSION_KEYS.seenAt]: now,
  })
  await (await sessionCollection()).tag(sessionId, String(user.id))
  return { sessionId, ticket: socketTicket(user, sessionId) }
}

export async function ticketFor(user: User) {
  return (await storedSession(user)).ticket
}

/**
 * A browser without a browser: fetch with a cookie jar, reading the CSRF token from each page, so a test
 * can log in by the form, keep (or copy) the session cookie and replay it as an attacker would.
 */
export class CookieClient {
  cookies = new Map<string, string>()
  csrf: string | null = null

  constructor(public baseUrl: string) {}

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /** A copy of this client's cookies: the same session in another's hands. */
  copy() {
    const other = new CookieClient(this.baseUrl)
    other.cookies = new Map(this.cookies)
    other.csrf = this.csrf
    return other
  }

  async request(
    method: string,
    path: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {}
  ) {
    const body = form
      ? new URLSearchParams({ ...(this.csrf ? { _csrf: this.csrf } : {}), ...form }).toString()
      : undefined
    const response = await fetch(this.baseUrl + path, {
      method,
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body,
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at)
      const value = pair.slice(at + 1)
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await response.text()
    const token = text.match(/name=['"]_csrf['"] value=['"]([^'"]+)['"]/)
    if (token) this.csrf = token[1]
    return {
      status: response.status,
      location: response.headers.get('location'),
      text,
      headers: response.headers,
    }
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers)
  }

  post(path: string, form: Record<string, string> = {}) {
    return this.request('POST', path, form)
  }

  /** The login form, as a person fills it in; returns where it sent them. */
  async logIn(username: string, password: string) {
    await this.get('/login')
    const response = await this.post('/login', { username, password })
    return response.location
  }

  /** The socket ticket a page of this session carries. */
  async ticket() {
    const page = await this.get('/account')
    return (
      page.text
        .match(/data-socket-ticket="([^"]*)"/)?.[1]
        ?.replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&') ?? ''
    )
  }
}

import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/*
| Server-side sessions (MLPS 8.1.4.1; ASVS 3.3): the cookie holds only a random id, the data lives in the
| `sessions` table, so logging out, a password change or an administrator's lock ends the session on
| every app node at once (app/access/services/account_sessions.ts). The store's age is the idle timeout:
| every request moves it on; the absolute timeout is checked by the auth middleware.
| SESSION_DRIVER=memory is for a single process (the test suite may use it); `cookie` is not safe for
| MLPS level 3 (a copied cookie outlives a logout) and stays only for the crawler's throw-away server.
*/
const idleMinutes = env.get('SESSION_IDLE_MINUTES', 30)

const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'imaging-session',
  clearWithBrowser: true,
  age: `${idleMinutes}m`,
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: env.get('SESSION_DRIVER', 'database'),
  stores: {
    database: stores.database({ tableName: 'sessions', gcProbability: 2 }),
    cookie: stores.cookie(),
  },
})

export default sessionConfig

import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { configProvider } from '@adonisjs/core'
import { defineConfig, stores } from '@adonisjs/session'
import type { SessionStoreFactory } from '@adonisjs/session/types'

/*
| Server-side sessions (MLPS 8.1.4.1; ASVS 3.3): the cookie holds only a random id, the data lives in the
| `sessions` table, so logging out, a password change or an administrator's lock ends the session on
| every app node at once (app/access/services/account_sessions.ts). The store's age is the idle timeout:
| every request moves it on; the absolute timeout is checked by the auth middleware.
| SESSION_DRIVER=memory is for a single process (the test suite may use it); `cookie` is not safe for
| MLPS level 3 (a copied cookie outlives a logout) and stays only for the crawler's throw-away server.
*/
// With REDIS_URL set the sessions live in Redis (SESSION_DRIVER unset or `auto`; `redis` asks for it): every
// node reads the same Redis (app/platform/redis/redis_session_store.ts).
const idleMinutes = env.get('SESSION_IDLE_MINUTES', 30)
const redisUrl = env.get('REDIS_URL')
const driver = env.get('SESSION_DRIVER', 'auto')
const redisStore = configProvider.create<SessionStoreFactory>(async () => {
  const { RedisSessionStore } = await import('#app/platform/redis/redis_session_store')
  const { storesRedis, redisPrefix } = await import('#app/platform/redis/stores_client')
  return (_ctx, config) => new RedisSessionStore(storesRedis, redisPrefix(), config.age)
})

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
  store: driver === 'auto' ? (redisUrl ? 'redis' : 'database') : driver,
  stores: {
    database: stores.database({ tableName: 'sessions', gcProbability: 2 }),
    cookie: stores.cookie(),
    ...(redisUrl ? { redis: redisStore } : {}),
  },
})

export default sessionConfig

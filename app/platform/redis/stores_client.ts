import { createClient } from 'redis'
import env from '#start/env'
import logger from '@adonisjs/core/services/logger'

/*
| The Redis connection of the session store and the login rate limiter (issue 11, MLPS 8.1.4.1; ASVS 3.3):
| with REDIS_URL set, every app node keeps its sessions and counts login attempts in the same Redis, so a
| session made on one node is valid on the others and ends on all of them at logout. One connection per
| process, opened at first use (a node without REDIS_URL never opens one). Keys carry the deployment's
| prefix (REDIS_PREFIX, default `imaging:<DB_DATABASE>`, as socket.io's adapter), so checkouts sharing one
| Redis do not see each other's sessions. Redis lost: the commands fail (a login or a page answers 500)
| until it is back; the client reconnects by itself.
*/

export type StoresRedis = ReturnType<typeof createClient>

const reconnectStrategy = (retries: number) => Math.min(200 * 2 ** Math.min(retries, 5), 5000)

let client: StoresRedis | null = null

export function redisPrefix() {
  return env.get('REDIS_PREFIX') || `imaging:${env.get('DB_DATABASE')}`
}

/** Opens a connection to `url` (tests and the bench open their own, then `quit()` it). */
export function openRedis(url: string): StoresRedis {
  let lost = false
  const redis = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy } })
  // An 'error' without a listener would end the process; one line per outage, not one per retry.
  redis.on('error', (error: Error) => {
    if (lost) return
    lost = true
    logger.error({ err: error }, 'redis (sessions, rate limits): connection lost')
  })
  redis.on('ready', () => (lost = false))
  return redis
}

/**
 * The process's connection to REDIS_URL, opening in the background at first use: commands sent before it is
 * ready wait in the client's queue (the limiter refuses instead: rejectIfRedisNotReady), and a node whose
 * Redis is away still starts.
 */
export function storesRedis(): StoresRedis {
  if (client) return client
  const url = env.get('REDIS_URL')
  if (!url) throw new Error('REDIS_URL is not set')
  client = openRedis(url)
  client
    .connect()
    .catch((error: Error) =>
      logger.error({ err: error }, 'redis (sessions, rate limits): could not connect')
    )
  return client
}

export async function closeStoresRedis() {
  const open = client
  client = null
  if (open?.isOpen) await open.quit().catch(() => {})
}

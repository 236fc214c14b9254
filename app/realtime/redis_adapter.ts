import type { Server } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import logger from '@adonisjs/core/services/logger'
import { healthChecks } from '#app/platform/health'
import type { StoresRedis } from '#app/platform/redis/stores_client'

/*
| Several app nodes (issue 18): with REDIS_URL set, socket.io's Redis adapter
| carries every push to the sockets of every node (a critical value raised on
| node A reaches a clinic connected to node B). Without Redis a node is alone
| and needs none.
|
| Redis lost: the node keeps serving pages and pushing to its own sockets;
| /health says "redis": "degraded" (200: it stays in the balancer); the clients reconnect by themselves (redis@4's
| reconnect strategy) and the adapter's subscriptions are restored on their
| own. Pushes published while Redis was away wait in the client's offline
| queue (or, if a dropped connection took them, in ours) and go out when it
| is back; alerts are stored before they are pushed
| and re-sent to every socket that (re)connects, so none is lost either way.
|
| Connections: the adapter publishes on the platform's one Redis connection
| (app/platform/redis/stores_client.ts, which the session store and the login
| limiter use), so a node holds two connections, not three. Its subscriber
| stays a connection of its own: a Redis connection in subscribe mode accepts
| no other command. The platform owns the shared connection (it opens it and
| closes it); close() here ends only the subscriber.
*/

/** Pushes kept while Redis is away (each one small message), and how often one is tried before it is given up. */
const UNSENT_KEPT = 10_000
const PUBLISH_TRIES = 100

export interface RedisLink {
  /** both connections up */
  readonly ready: boolean
  close(): Promise<void>
}

/**
 * @param pub the platform's shared connection (storesRedis()), already connecting; its subscriber
 *   duplicate is made here, with the same URL and reconnect strategy
 * @param key the channels' prefix: the same on every node of one deployment, different between
 *   deployments sharing a Redis (the default is derived from the database name, which the nodes share)
 */
export function attachRedisAdapter(io: Server, pub: StoresRedis, key: string): RedisLink {
  const sub = pub.duplicate()
  let lost = false
  const ready = () => pub.isReady && sub.isReady
  for (const [name, client] of [
    ['publish', pub],
    ['subscribe', sub],
  ] as const) {
    // An 'error' without a listener would end the process; one line per outage, not one per retry.
    client.on('error', (error: Error) => {
      if (lost) return
      lost = true
      logger.error(
        { err: error, connection: name },
        'redis: connection lost; pushes reach only this node until it is back'
      )
    })
    client.on('ready', () => {
      if (lost && ready()) {
        lost = false
        logger.info('redis: connected again; pushes reach every node')
      }
    })
  }
  // The shared connection is opened by its owner (storesRedis() connects at first use).
  sub
    .connect()
    .catch((error: Error) =>
      logger.error({ err: error, connection: 'subscribe' }, 'redis: could not connect (retrying)')
    )
  // The adapter does not await its publishes: a command lost with its connection must not become an
  // unhandled rejection (which would end the process and every socket on it). A publish the connection
  // took and then lost (written to a socket that closed before Redis answered: a reconnect that Redis
  // accepted and dropped) is kept and sent again once the connection is ready: an alert pushed to a
  // socket that stayed connected to another node would otherwise never reach it (its re-send on
  // reconnection does not happen, nothing reconnected). A repeat is harmless: pages keep alerts by id.
  const unsent: Array<{ channel: string; message: string | Buffer; tries: number }> = []
  const send = (channel: string, message: string | Buffer, tries = 0): Promise<unknown> =>
    pub.publish(channel, message).catch((error: Error) => {
      if (tries >= PUBLISH_TRIES || unsent.length >= UNSENT_KEPT) {
        logger.error({ err: error, channel }, 'redis: a push to the other nodes was lost')
        return
      }
      if (unsent.length === 0)
        logger.warn({ err: error }, 'redis: pushes to the other nodes wait until Redis is back')
      unsent.push({ channel, message, tries: tries + 1 })
      // Lost on a connection that is up again already: no 'ready' will come for it.
      if (pub.isReady) setTimeout(sendAgain, 200)
    })
  const sendAgain = () => {
    if (!pub.isReady) return
    for (const { channel, message, tries } of unsent.splice(0)) void send(channel, message, tries)
  }
  pub.on('ready', sendAgain)
  const publisher = new Proxy(pub, {
    get(target, property) {
      if (property === 'publish') return send
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  io.adapter(createAdapter(publisher, sub, { key }))
  // Degraded, not down: the node still serves every page and its own sockets.
  healthChecks.register('redis', async () => (ready() ? 'ok' : 'degraded'))
  return {
    get ready() {
      return ready()
    },
    async close() {
      await sub.disconnect().catch(() => {})
    },
  }
}

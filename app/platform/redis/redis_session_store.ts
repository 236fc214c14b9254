import string from '@adonisjs/core/helpers/string'
import { MessageBuilder } from '@adonisjs/core/helpers'
import type {
  SessionData,
  SessionStoreWithTaggingContract,
  TaggedSession,
} from '@adonisjs/session/types'
import type { StoresRedis } from './stores_client.js'

/**
 * Sessions in Redis (MLPS 8.1.4.1; ASVS 3.3), the same shape as @adonisjs/session's own Redis store (which
 * needs @adonisjs/redis and ioredis, not installed here) on the `redis` client socket.io already uses: the
 * value is the session signed with its id (MessageBuilder), its TTL the idle timeout, moved on at every
 * request; `tag` keeps a set of an account's session ids, so that ending every session of an account
 * (account_sessions.ts) finds them on any node.
 */
export class RedisSessionStore implements SessionStoreWithTaggingContract {
  #ttlSeconds: number

  constructor(
    protected redis: () => StoresRedis,
    protected prefix: string,
    age: string | number
  ) {
    this.#ttlSeconds = string.seconds.parse(age)
  }

  #key(sessionId: string) {
    return `${this.prefix}:session:${sessionId}`
  }

  #tagKey(userId: string) {
    return `${this.prefix}:session_tag:${userId}`
  }

  #parse(contents: string | null, sessionId: string): SessionData | null {
    if (!contents) return null
    try {
      return new MessageBuilder().verify(contents, sessionId)
    } catch {
      return null
    }
  }

  async read(sessionId: string) {
    const redis = this.redis()
    return this.#parse(await redis.get(this.#key(sessionId)), sessionId)
  }

  async write(sessionId: string, values: SessionData) {
    const redis = this.redis()
    const message = new MessageBuilder().build(values, undefined, sessionId)
    await redis.set(this.#key(sessionId), message, { EX: this.#ttlSeconds })
  }

  async destroy(sessionId: string) {
    const redis = this.redis()
    await redis.del(this.#key(sessionId))
  }

  async touch(sessionId: string) {
    const redis = this.redis()
    await redis.expire(this.#key(sessionId), this.#ttlSeconds)
  }

  async tag(sessionId: string, userId: string) {
    const redis = this.redis()
    await redis.sAdd(this.#tagKey(userId), sessionId)
  }

  /** The account's live sessions; ids whose session expired or was removed leave the set. */
  async tagged(userId: string): Promise<TaggedSession[]> {
    const redis = this.redis()
    const ids = await redis.sMembers(this.#tagKey(userId))
    if (!ids.length) return []
    const contents = await redis.mGet(ids.map((id) => this.#key(id)))
    const live: TaggedSession[] = []
    const gone: string[] = []
    ids.forEach((id, i) => {
      const data = this.#parse(contents[i], id)
      if (data) live.push({ id, data })
      else gone.push(id)
    })
    if (gone.length) await redis.sRem(this.#tagKey(userId), gone)
    return live
  }
}

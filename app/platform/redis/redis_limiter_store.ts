import string from '@adonisjs/core/helpers/string'
import { RateLimiterRedis } from 'rate-limiter-flexible'
import RateLimiterBridge from '@adonisjs/limiter/stores/bridge'
import type { LimiterConsumptionOptions } from '@adonisjs/limiter/types'
import type { StoresRedis } from './stores_client.js'

/**
 * The login rate limits in Redis (issue 11: per client address and per account, counted by every node):
 * rate-limiter-flexible's RateLimiterRedis on the `redis` client (its own atomic Lua script, so parallel
 * guesses on several nodes are all counted). @adonisjs/limiter's Redis store needs @adonisjs/redis, which is
 * not installed. `clear()` removes only this deployment's keys (the Redis may be shared).
 */
export class RedisLimiterStore extends RateLimiterBridge {
  readonly name = 'redis'

  constructor(
    protected redis: StoresRedis,
    protected prefix: string,
    options: LimiterConsumptionOptions
  ) {
    super(
      new RateLimiterRedis({
        storeClient: redis,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
        keyPrefix: prefix,
        points: options.requests,
        duration: string.seconds.parse(options.duration),
        blockDuration: options.blockDuration
          ? string.seconds.parse(options.blockDuration)
          : undefined,
        inMemoryBlockOnConsumed: options.inMemoryBlockOnConsumed,
        inMemoryBlockDuration: options.inMemoryBlockDuration
          ? string.seconds.parse(options.inMemoryBlockDuration)
          : undefined,
      })
    )
  }

  async clear() {
    this.deleteInMemoryBlockedKeys()
    const keys: string[] = []
    for await (const key of this.redis.scanIterator({ MATCH: `${this.prefix}:*`, COUNT: 500 }))
      keys.push(key as string)
    if (keys.length) await this.redis.del(keys)
  }
}

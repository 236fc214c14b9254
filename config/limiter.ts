import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/limiter'
import { RedisLimiterStore } from '#app/platform/redis/redis_limiter_store'
import { storesRedis, redisPrefix } from '#app/platform/redis/stores_client'
import type { InferLimiters } from '@adonisjs/limiter/types'

/*
| Rate limits on the login form (per client address and per username), in the database so every app node
| counts the same attempts (`rate_limits`). LIMITER_STORE=memory for a single process.
| With REDIS_URL set they count in Redis instead (LIMITER_STORE unset or `auto`; `redis` asks for it):
| app/platform/redis/redis_limiter_store.ts.
*/
const redisUrl = env.get('REDIS_URL')
const store = env.get('LIMITER_STORE', 'auto')
const limiterConfig = defineConfig({
  default: store === 'auto' ? (redisUrl ? 'redis' : 'database') : store,
  stores: {
    database: stores.database({ tableName: 'rate_limits', clearExpiredByTimeout: false }),
    memory: stores.memory({}),
    redis: (options) => new RedisLimiterStore(storesRedis(), `${redisPrefix()}:limit`, options),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}

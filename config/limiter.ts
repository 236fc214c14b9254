import env from '#start/env'
import { defineConfig, stores } from '@adonisjs/limiter'
import type { InferLimiters } from '@adonisjs/limiter/types'

/*
| Rate limits on the login form (per client address and per username), in the database so every app node
| counts the same attempts (`rate_limits`). LIMITER_STORE=memory for a single process.
| Redis: not wired yet (see docs/deployment.md); the database store is shared by all nodes already.
*/
const limiterConfig = defineConfig({
  default: env.get('LIMITER_STORE', 'database'),
  stores: {
    database: stores.database({ tableName: 'rate_limits', clearExpiredByTimeout: false }),
    memory: stores.memory({}),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}

import { test } from '@japa/runner'
import mysql from 'mysql2/promise'
// @ts-ignore — plain JavaScript run by `npm start` before the app exists
import { withMigrationLock, migrationLockName, adviceFor } from '../../bin/lib/migrate.mjs'

/*
| Issue 9, point 8: the migrations of `npm start` hold one lock on one
| connection, so the lock is always released (the step can no longer fail
| after migrating and strand an empty database), two runs on one database
| wait for each other, and a failed step says what to do.
*/
const target = () => ({
  host: process.env.DB_HOST || '127.0.0.1',
  port: Number(process.env.DB_PORT || 3306),
  ...(process.env.DB_SOCKET_PATH ? { socketPath: process.env.DB_SOCKET_PATH } : {}),
  user: process.env.DB_USER || 'root',
  password: process.env.DB_PASSWORD || '',
})
const database = () => process.env.DB_DATABASE!

async function lockIsFree(name: string) {
  const connection = await mysql.createConnection({ ...target(), database: database() })
  try {
    const [[row]] = (await connection.query('SELECT IS_FREE_LOCK(?) AS free', [name])) as any
    return Number(row.free) === 1
  } finally {
    await connection.end()
  }
}

test.group('npm start: migrations under a lock that cannot strand the database', () => {
  test('the lock is held while migrating and released afterwards, even when the migration fails', async ({
    assert,
  }) => {
    const name = migrationLockName(database())
    let heldDuring = false
    const ok = await withMigrationLock(target(), database(), async () => {
      heldDuring = !(await lockIsFree(name))
      return 0
    })
    assert.deepEqual(ok, { code: 0, reason: null })
    assert.isTrue(heldDuring)
    assert.isTrue(await lockIsFree(name))

    await assert.rejects(() =>
      withMigrationLock(target(), database(), async () => Promise.reject(new Error('boom')))
    )
    assert.isTrue(await lockIsFree(name))
    const failed = await withMigrationLock(target(), database(), async () => 1)
    assert.deepEqual(failed, { code: 1, reason: 'migration_failed' })
    assert.isTrue(await lockIsFree(name))
  })

  test('two runs on one database take turns; another database does not wait', async ({
    assert,
  }) => {
    const order: string[] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const first = withMigrationLock(target(), database(), async () => {
      order.push('first:start')
      await gate
      order.push('first:end')
      return 0
    })
    await new Promise((r) => setTimeout(r, 200))
    const second = withMigrationLock(target(), database(), async () => {
      order.push('second')
      return 0
    })
    // A run on another database takes its own lock at once.
    const other = await withMigrationLock(target(), 'mysql', async () => 0)
    assert.equal(other.code, 0)
    await new Promise((r) => setTimeout(r, 200))
    assert.deepEqual(order, ['first:start'])
    release()
    await Promise.all([first, second])
    assert.deepEqual(order, ['first:start', 'first:end', 'second'])
  })

  test('a failed step says what to do next', ({ assert }) => {
    assert.include(adviceFor('migrations', { database: 'imaging' }), 'run `npm start` again')
    assert.include(adviceFor('seed', { database: 'imaging' }), 'npm start -- --fresh')
    assert.include(adviceFor('lock_timeout', { database: 'imaging' }), 'Wait for it')
  })
})

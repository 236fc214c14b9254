/*
| Migrations for `npm start` / `npm test` under one lock that cannot strand the database.
|
| Lucid's own migration lock (GET_LOCK / RELEASE_LOCK) is taken and released through a connection pool:
| when the release lands on another pooled connection, MariaDB answers that the lock is not held, the
| command fails with "Migration completed, but unable to release database lock" and `npm start` stopped
| before seeding, leaving an empty database (seen while other databases on the same server migrated).
| Here the lock is taken on one dedicated connection, held while `ace migration:run --disable-locks`
| runs, and released on that same connection; if anything goes wrong the connection is closed, which
| releases a MySQL named lock by definition. Plain JavaScript: it runs before the app is built.
*/

/** The lock's name: one per database, so that different databases on one server never wait for each other. */
export function migrationLockName(database) {
  // MySQL named locks are at most 64 characters.
  return `imaging_migrations:${database}`.slice(0, 64)
}

/**
 * Runs `work` while holding the database's migration lock.
 * @param {object} connectionOptions mysql2 options (host/port or socketPath, user, password)
 * @param {string} database
 * @param {() => Promise<number>} work returns an exit code
 * @param {{ waitSeconds?: number, say?: (m: string) => void }} options
 */
export async function withMigrationLock(
  connectionOptions,
  database,
  work,
  { waitSeconds = 300, say = () => {} } = {}
) {
  const mysql = (await import('mysql2/promise')).default
  const connection = await mysql.createConnection({ ...connectionOptions, database })
  const name = migrationLockName(database)
  try {
    const [[{ got }]] = await connection.query('SELECT GET_LOCK(?, 0) AS got', [name])
    if (Number(got) !== 1) {
      say(`another process is migrating "${database}"; waiting for it (up to ${waitSeconds} s)…`)
      const [[{ got: later }]] = await connection.query('SELECT GET_LOCK(?, ?) AS got', [
        name,
        waitSeconds,
      ])
      if (Number(later) !== 1) {
        return { code: 1, reason: 'lock_timeout' }
      }
    }
    const code = await work()
    return { code, reason: code === 0 ? null : 'migration_failed' }
  } finally {
    await connection.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => {})
    // Closing the session releases the lock whatever happened above.
    await connection.end().catch(() => connection.destroy())
  }
}

/** What a newcomer should do when a step of `npm start` fails, by step. */
export function adviceFor(step, { database, connection, mode = 'start' } = {}) {
  const rerun = mode === 'test' ? 'npm test' : 'npm start'
  const where =
    connection === 'sqlite' ? 'the SQLite file tmp/imaging.sqlite3' : `the database "${database}"`
  switch (step) {
    case 'lock_timeout':
      return `Another process kept ${where} locked for migrations. Wait for it to finish (or stop it), then run \`${rerun}\` again.`
    case 'migrations':
      return (
        `The migrations of ${where} failed (the reason is above). Nothing was seeded. Migrations that finished are recorded ` +
        `and are not run twice: fix the cause (is the database server running and reachable?) and run \`${rerun}\` again.`
      )
    case 'seed':
      return (
        `Seeding the demo county into ${where} failed (the reason is above), so the demo may be incomplete. ` +
        `Run \`npm start -- --fresh\` to empty ${where} and the local Orthanc and seed a new demo county.`
      )
    default:
      return `The step "${step}" failed (see above). Fix the cause and run \`${rerun}\` again.`
  }
}

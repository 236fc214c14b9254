import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| "Insert unless it exists" on MySQL/MariaDB (INSERT IGNORE) and SQLite
| (INSERT OR IGNORE) alike: the unique key decides, so concurrent callers
| never both insert.
*/
export function insertIgnore(
  table: string,
  row: Record<string, unknown>,
  conflict: string,
  client: QueryClientContract = db.connection()
) {
  return client.knexQuery().table(table).insert(row).onConflict(conflict).ignore()
}

/** Insert, or update the given row in place when the unique key already exists. */
export function upsert(
  table: string,
  row: Record<string, unknown>,
  conflict: string,
  client: QueryClientContract = db.connection()
) {
  return client.knexQuery().table(table).insert(row).onConflict(conflict).merge()
}

/**
 * A time as DATETIME text in UTC, for the query builder's conditional updates and comparisons
 * (MySQL/MariaDB and SQLite alike). With milliseconds for DATETIME(3) columns and ordering.
 */
export function sqlTime(time: DateTime, milliseconds = false) {
  return time.toUTC().toFormat(milliseconds ? 'yyyy-MM-dd HH:mm:ss.SSS' : 'yyyy-MM-dd HH:mm:ss')
}

/** A unique key refused the row (MySQL/MariaDB or SQLite): someone else got there first, or a form was sent twice. */
export function isDuplicateKey(error: any) {
  return (
    error?.code === 'ER_DUP_ENTRY' ||
    error?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    error?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}

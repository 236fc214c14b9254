import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| "Insert unless it exists" on MySQL/MariaDB (INSERT IGNORE) and SQLite
| (INSERT OR IGNORE) alike: the unique key decides, so concurrent callers
| never both insert.
*/
export function insertIgnore(table: string, row: Record<string, unknown>, conflict: string, client: QueryClientContract = db.connection()) {
  return client.knexQuery().table(table).insert(row).onConflict(conflict).ignore()
}

/** Insert, or update the given row in place when the unique key already exists. */
export function upsert(table: string, row: Record<string, unknown>, conflict: string, client: QueryClientContract = db.connection()) {
  return client.knexQuery().table(table).insert(row).onConflict(conflict).merge()
}

/** A unique key refused the row (MySQL/MariaDB and SQLite): someone else got there first, or a form was sent twice. */
export function isUniqueViolation(error: any) {
  return error?.code === 'ER_DUP_ENTRY' || error?.code === 'SQLITE_CONSTRAINT_UNIQUE' || error?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

import { FIELD_COLUMNS } from './chain_check.js'

/**
 * One chunk of a day's lines on MySQL/MariaDB, in chain_check's ROW order: the (chain_day, chain_seq) unique
 * index gives the keyset pagination; the time comes as epoch milliseconds (TIMESTAMPDIFF does not depend on
 * the session's time zone; the stored value is UTC, as mysql2 reads it with `timezone: 'Z'`).
 */
export const segmentSql = `SELECT id, chain_seq, prev_hash, row_hash,
    TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', occurred_at) DIV 1000,
    ${FIELD_COLUMNS.join(', ')}
  FROM audit_events
  WHERE chain_day = ? AND chain_seq > ? AND chain_seq <= ?
  ORDER BY chain_seq
  LIMIT ?`

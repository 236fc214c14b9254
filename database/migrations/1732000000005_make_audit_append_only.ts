import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The audit log is append-only in the database itself, not only in the app:
 * no row can be updated, and none deleted before it is 184 days old
 * (C 8.3.4 ≥ 180 days; six calendar months are at most 184 days).
 */
export default class extends BaseSchema {
  async up() {
    this.defer(async (db) => {
      if (this.db.dialect.name === 'mysql') {
        await db.rawQuery(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events FOR EACH ROW
          SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_events is append-only'`)
        await db.rawQuery(`CREATE TRIGGER audit_events_no_early_delete BEFORE DELETE ON audit_events FOR EACH ROW
          BEGIN
            IF OLD.occurred_at > UTC_TIMESTAMP() - INTERVAL 184 DAY THEN
              SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit events younger than 184 days cannot be deleted';
            END IF;
          END`)
      } else {
        await db.rawQuery(`CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
          BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END`)
        await db.rawQuery(`CREATE TRIGGER audit_events_no_early_delete BEFORE DELETE ON audit_events
          WHEN OLD.occurred_at > datetime('now', '-184 days')
          BEGIN SELECT RAISE(ABORT, 'audit events younger than 184 days cannot be deleted'); END`)
      }
    })
  }

  async down() {
    this.defer(async (db) => {
      await db.rawQuery('DROP TRIGGER IF EXISTS audit_events_no_update')
      await db.rawQuery('DROP TRIGGER IF EXISTS audit_events_no_early_delete')
    })
  }
}

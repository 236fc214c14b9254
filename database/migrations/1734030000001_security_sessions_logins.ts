import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Sessions that end and logins that hold (MLPS 8.1.4.1; ASVS 2, 3, 7):
 * - `sessions`: the server-side session store (@adonisjs/session's database store; `user_id` tags a session
 *   with its account so every session of an account can be ended at once);
 * - `rate_limits`: @adonisjs/limiter's database store (per IP and per account on the login form);
 * - `users.session_epoch`: bumped when an account's sessions, tokens and sockets must end (a session or socket
 *   ticket carrying an older epoch is refused at its next request);
 * - TOTP second factor: the secret (encrypted with APP_KEY), the last time step used (a code is good once),
 *   one-time recovery codes (hashed);
 * - the password policy: when the password was last changed, and the previous hashes (the 等保 profile's history).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('sessions', (table) => {
      table.string('id', 128).primary()
      table.string('user_id', 32).nullable().index()
      table.text('data', 'mediumtext').notNullable()
      table.dateTime('expires_at').notNullable().index()
    })

    this.schema.createTable('rate_limits', (table) => {
      table.string('key', 255).notNullable().primary()
      table.integer('points', 9).notNullable().defaultTo(0)
      table.bigint('expire').unsigned()
    })

    this.schema.alterTable('users', (table) => {
      table.integer('session_epoch').notNullable().defaultTo(0)
      table.text('totp_secret').nullable()
      table.dateTime('totp_enabled_at').nullable()
      table.bigint('totp_last_step').nullable()
      table.dateTime('password_changed_at').nullable()
    })

    this.schema.createTable('user_recovery_codes', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('code_hash', 64).notNullable().unique()
      table.dateTime('used_at').nullable()
      table.dateTime('created_at').notNullable()
    })

    this.schema.createTable('password_history', (table) => {
      table.increments('id')
      table
        .integer('user_id')
        .unsigned()
        .notNullable()
        .references('id')
        .inTable('users')
        .onDelete('CASCADE')
      table.string('password_hash', 255).notNullable()
      table.dateTime('created_at').notNullable()
      table.index(['user_id', 'created_at'])
    })
  }

  async down() {
    this.schema.dropTable('password_history')
    this.schema.dropTable('user_recovery_codes')
    this.schema.alterTable('users', (table) => {
      table.dropColumn('session_epoch')
      table.dropColumn('totp_secret')
      table.dropColumn('totp_enabled_at')
      table.dropColumn('totp_last_step')
      table.dropColumn('password_changed_at')
    })
    this.schema.dropTable('rate_limits')
    this.schema.dropTable('sessions')
  }
}

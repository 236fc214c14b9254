import { DateTime } from 'luxon'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { BaseModel, belongsTo, column } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'
import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import Institution from '#models/institution'
import type { Role, Title } from '#app/access/roles'

const AuthFinder = withAuthFinder(() => hash.use('scrypt'), {
  uids: ['username'],
  passwordColumnName: 'password',
})

export type AccountStatus = 'active' | 'locked' | 'disabled'

export default class User extends compose(BaseModel, AuthFinder) {
  /** Bearer tokens for the /api/v1 integrations. */
  static accessTokens = DbAccessTokensProvider.forModel(User, {
    expiresIn: '180 days',
    prefix: 'ica_',
    table: 'auth_access_tokens',
    type: 'api_token',
  })

  @column({ isPrimary: true })
  declare id: number

  @column()
  declare institutionId: number

  @column()
  declare username: string

  @column()
  declare fullName: string

  @column({ serializeAs: null })
  declare password: string

  @column()
  declare role: Role

  @column()
  declare title: Title | null

  @column()
  declare status: AccountStatus

  @column.date()
  declare expiresOn: DateTime | null

  @column({ serializeAs: null })
  declare failedLoginCount: number

  @column.dateTime({ serializeAs: null })
  declare lockedUntil: DateTime | null

  @column.dateTime()
  declare lastLoginAt: DateTime | null

  @column()
  declare locale: string | null

  /** Bumped when every session, API token and socket of the account must end (app/access/services/account_sessions.ts). */
  @column({ serializeAs: null })
  declare sessionEpoch: number

  /** TOTP secret (base32), encrypted with APP_KEY; null until the second factor is set up. */
  @column({ serializeAs: null })
  declare totpSecret: string | null

  @column.dateTime({ serializeAs: null })
  declare totpEnabledAt: DateTime | null

  /** The last TOTP time step accepted: a code is good once (replay refused). */
  @column({ serializeAs: null })
  declare totpLastStep: number | null

  @column.dateTime({ serializeAs: null })
  declare passwordChangedAt: DateTime | null

  @column.dateTime({ autoCreate: true })
  declare createdAt: DateTime

  @column.dateTime({ autoCreate: true, autoUpdate: true })
  declare updatedAt: DateTime

  @belongsTo(() => Institution)
  declare institution: BelongsTo<typeof Institution>
}

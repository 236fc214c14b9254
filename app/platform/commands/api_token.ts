import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * `node ace api:token <username>`: issues an /api/v1 bearer token for an
 * integration account (a HIS or modality gateway) without going through the
 * browser. `--abilities fhir:read` gives a FHIR token of the account's
 * institution (app/interoperability/fhir/fhir_client.ts). Only the token's hash is stored; the value is printed once.
 */
export default class ApiToken extends BaseCommand {
  static commandName = 'api:token'
  static description = 'Issue an /api/v1 access token for a user (printed once)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Username of the account the token acts as' })
  declare username: string

  @flags.string({ description: 'A name to recognise the token by', default: 'cli' })
  declare name: string

  @flags.number({ description: 'Days until the token expires', default: 180 })
  declare days: number

  @flags.string({
    description:
      'Scopes, comma-separated (e.g. fhir:read,fhir:national_id for the FHIR API); default * (the /api/v1 integrations)',
    default: '*',
  })
  declare abilities: string

  async run() {
    const { default: User } = await import('#models/user')
    const { audit } = await import('#app/platform/audit/audit_log')
    const user = await User.findBy('username', this.username)
    if (!user) {
      this.logger.error(`no user "${this.username}"`)
      this.exitCode = 1
      return
    }
    const abilities = this.abilities
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
    const token = await User.accessTokens.create(user, abilities.length ? abilities : ['*'], {
      name: this.name,
      expiresIn: `${this.days} days`,
    })
    await audit.record(
      { username: 'cli' },
      {
        action: 'account.token_create',
        targetType: 'access_token',
        targetId: String(token.identifier),
        details: { for: user.username, via: 'cli', abilities },
      }
    )
    this.logger.log(token.value!.release())
  }
}

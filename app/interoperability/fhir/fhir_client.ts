import type { HttpContext } from '@adonisjs/core/http'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import type Exam from '#models/exam'
import type User from '#models/user'
import env from '#start/env'

/*
| Who asks the FHIR API: an integration token of an account of one institution,
| with scopes (the token's abilities, `node ace api:token <user> --abilities
| fhir:read[,fhir:national_id]`). A token with `*` (the /api/v1 integrations)
| does not read FHIR: scopes are given, not implied.
|
| What it sees (C 8.1.2, C 8.2.4, same rules as the people of that institution):
|   - the lead hospital (the centre's own systems): every clinic's exams;
|   - a member clinic (its HIS): its own clinic's exams;
|   - an upper-level hospital or platform: what was shared to it, i.e. the
|     exams whose signed report was pushed to the recognition platform.
| Anything else answers 404, like a missing resource, and is audited.
*/

export const FHIR_READ = 'fhir:read'
export const FHIR_NATIONAL_ID = 'fhir:national_id'

export interface FhirClient {
  user: User
  institutionId: number
  kind: 'alliance' | 'clinic' | 'shared'
  seesNationalId: boolean
  baseUrl: string
}

export function tokenAbilities(ctx: HttpContext): string[] {
  return ((ctx.auth.user as any)?.currentAccessToken?.abilities as string[] | undefined) ?? []
}

/** The FHIR API may be used with this token at all (checked before anything is read). */
export function mayReadFhir(ctx: HttpContext) {
  return tokenAbilities(ctx).includes(FHIR_READ)
}

/** The app's address as other systems reach it: APP_BASE_URL, else the request's own origin. */
export function appBaseUrl(ctx?: HttpContext) {
  const configured = env.get('APP_BASE_URL')
  if (configured) return configured.replace(/\/+$/, '')
  if (ctx) return `${ctx.request.protocol()}://${ctx.request.host()}`
  return `http://${env.get('HOST')}:${env.get('PORT')}`
}

export function fhirClientOf(ctx: HttpContext): FhirClient {
  const user = ctx.auth.user as User
  const kindOfInstitution = (user as any).institution?.kind as string | undefined
  return {
    user,
    institutionId: user.institutionId,
    kind:
      kindOfInstitution === 'lead_hospital'
        ? 'alliance'
        : kindOfInstitution === 'member_clinic'
          ? 'clinic'
          : 'shared',
    seesNationalId: tokenAbilities(ctx).includes(FHIR_NATIONAL_ID),
    baseUrl: `${appBaseUrl(ctx)}/fhir/r4`,
  }
}

/** The exams this client sees, as a condition on an exams query. */
export function scopeFhirExams<Q extends ModelQueryBuilderContract<typeof Exam>>(
  query: Q,
  client: Pick<FhirClient, 'kind' | 'institutionId'>
): Q {
  if (client.kind === 'alliance') return query
  if (client.kind === 'clinic')
    return query.where('exams.institution_id', client.institutionId) as Q
  return query.whereIn('exams.id', (sub) => sub.from('fhir_deliveries').select('exam_id')) as Q
}

/*
| What went wrong with a storage node or a transfer, as an administrator
| reads it: the stored error is the technical record (Orthanc's own English,
| kept for the logs and the technical view); the page says it in the
| reader's language.
*/
import type { I18n } from '@adonisjs/i18n'

const PROBLEMS: Array<[RegExp, string]> = [
  [/ECONNREFUSED/, 'refused'],
  [/ETIMEDOUT|ECONNABORTED|timeout/i, 'timeout'],
  [/ENOTFOUND|EAI_AGAIN/, 'no_such_host'],
  [/ECONNRESET|EPIPE|socket hang up/i, 'connection_lost'],
  [/failed with 401|failed with 403|credentials/i, 'credentials'],
  [/failed with 404/, 'not_found'],
  [/failed with 5\d\d/, 'server_error'],
  [/verification failed/i, 'verification_failed'],
  [/no source could provide/i, 'no_source'],
  [/node retired/i, 'node_retired'],
  [/unreachable/i, 'unreachable'],
]

export function storageProblemKey(error: string | null | undefined) {
  if (!error) return null
  return PROBLEMS.find(([pattern]) => pattern.test(error))?.[1] ?? 'other'
}

export function storageProblem(i18n: I18n, error: string | null | undefined) {
  const key = storageProblemKey(error)
  return key ? i18n.t(`storage.problems.${key}`) : ''
}

import { DomainRefusal } from '#app/platform/domain_refusal'
import { OrthancError } from './orthanc_client.js'

/**
 * A request that needs Orthanc and could not get an answer in time answers
 * 503 "the image store is unavailable, try again later", never 404 or 500.
 * Use: `try { … } catch (error) { throw storeUnavailableOr(error) }`
 */
export function storeUnavailableOr(error: unknown) {
  if (error instanceof OrthancError && error.isUnreachable) {
    return new DomainRefusal('store_unavailable', 'orthanc.unavailable', {}, 503)
  }
  return error
}

/** Runs `work`; Orthanc being unavailable becomes the 503 refusal. */
export async function needingOrthanc<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw storeUnavailableOr(error)
  }
}

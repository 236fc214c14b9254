import { pipeline } from 'node:stream'
import type { OrthancClient } from '#app/orthanc/orthanc_client'
import type { Manifest } from '#models/archived_study'
import { compareManifests, fetchManifest, isIdentical, type ManifestComparison } from './manifest.js'
import { MeteredStream, type TokenBucket } from './bandwidth.js'
import { mapLimit } from './concurrency.js'

/*
| Copies a study from one Orthanc to another through the app, instance by
| instance, and verifies the result. The app relays the bytes (rather than
| asking Orthanc to push to a peer) so that it can cap the bandwidth per node,
| resume a half-done study by copying only what is missing, check the MD5 of
| the bytes in flight, and keep the nodes' credentials in one place.
*/

export interface CopyRequest {
  orthancStudyId: string
  /** what the study must hold: instance → [MD5, size] */
  reference: Manifest
  source: OrthancClient
  target: OrthancClient
  /** buckets of the nodes whose links the bytes cross (C 8.2.1 bandwidth caps) */
  buckets?: TokenBucket[]
  /** instances in flight at once */
  concurrency?: number
}

export interface CopyOutcome {
  /** instances written to the target */
  copied: number
  bytes: number
  /** instances whose bytes at the source did not match the manifest (the source copy is damaged) */
  sourceDamaged: string[]
  /** instances the source does not have */
  sourceMissing: string[]
  /** the target afterwards, as Orthanc records it */
  targetManifest: Manifest
  /** the target against the reference afterwards */
  verification: ManifestComparison
  verified: boolean
}

/** The source cannot provide what the target needs: try another source. */
export class SourceIncomplete extends Error {
  constructor(
    public missing: string[],
    public damaged: string[]
  ) {
    super(`source lacks ${missing.length} and has ${damaged.length} damaged instance(s) of the study`)
  }
}

export async function copyStudy(request: CopyRequest): Promise<CopyOutcome> {
  const concurrency = request.concurrency ?? 4
  const { reference, source, target, orthancStudyId } = request

  // What both sides hold now, by Orthanc's own records.
  const [sourceManifest, targetBefore] = await Promise.all([
    fetchManifest(source, orthancStudyId),
    fetchManifest(target, orthancStudyId),
  ])
  const atTarget = compareManifests(reference, targetBefore)
  const needed = [...atTarget.missing, ...atTarget.mismatched]
  const atSource = compareManifests(reference, sourceManifest)
  const sourceMissing = needed.filter((id) => atSource.missing.includes(id))
  const sourceMismatched = needed.filter((id) => atSource.mismatched.includes(id))
  if (sourceMissing.length || sourceMismatched.length) throw new SourceIncomplete(sourceMissing, sourceMismatched)

  // A target instance with the wrong content is removed first: Orthanc keeps the first copy of an instance.
  await mapLimit(atTarget.mismatched, concurrency, (id) => target.deleteInstance(id).catch((e) => (e?.isNotFound ? null : Promise.reject(e))))

  let copied = 0
  let bytes = 0
  const sourceDamaged: string[] = []
  await mapLimit(needed, concurrency, async (id) => {
    const file = await source.instanceFile(id)
    const metered = new MeteredStream(request.buckets ?? [])
    pipeline(file.stream, metered, () => undefined)
    const stored = await target.storeInstance(metered, { contentLength: file.size ?? reference[id][1] })
    const md5 = metered.md5.digest('hex')
    bytes += metered.bytes
    if (md5 !== reference[id][0] || stored.ID !== id) {
      // The source's file is not what Orthanc recorded for it: bit rot at the source.
      sourceDamaged.push(id)
      await target.deleteInstance(stored.ID).catch(() => undefined)
      return
    }
    copied++
  })

  const targetManifest = await fetchManifest(target, orthancStudyId)
  const verification = compareManifests(reference, targetManifest)
  return {
    copied,
    bytes,
    sourceDamaged,
    sourceMissing: [],
    targetManifest,
    verification,
    verified: isIdentical(verification),
  }
}

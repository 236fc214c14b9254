import { pipeline } from 'node:stream'
import { createHash } from 'node:crypto'
import type { OrthancClient } from '#app/orthanc/orthanc_client'
import type { Manifest } from '#models/archived_study'
import {
  compareManifests,
  fetchManifest,
  isIdentical,
  type ManifestComparison,
} from './manifest.js'
import { MeteredStream, type TokenBucket } from './bandwidth.js'
import { mapLimit } from './concurrency.js'

/*
| Copies what a study's copy on the target lacks, from a source, and verifies
| the result: the target's instance set and the MD5 Orthanc recorded for each
| instance must equal the manifest (the MD5s the source recorded).
|
| Two ways to move the bytes:
| - direct: the source Orthanc pushes the missing instances to the target
|   itself (its /peers/{peer}/store, a peer declared for this transfer only and
|   removed after), used when no bandwidth cap applies and the target has an
|   address the other nodes can reach;
| - relayed: the app reads each instance from the source and stores it on the
|   target, through the nodes' token buckets (the bandwidth cap), checking the
|   MD5 of the bytes in flight (so a file rotted at the source is caught there).
| Whatever the direct push left missing or wrong is relayed in the same attempt.
*/

/** Instances up to this size are relayed through memory; larger ones (multi-frame, mammography) are streamed. */
export const IN_MEMORY_MAX_BYTES = 16 * 1024 * 1024

export interface CopyRequest {
  orthancStudyId: string
  /** what the study must hold: instance → [MD5, size] */
  reference: Manifest
  source: OrthancClient
  target: OrthancClient
  /** buckets of the nodes whose links the bytes cross (C 8.2.1 bandwidth caps) */
  buckets?: TokenBucket[]
  /** instances in flight at once (relayed) */
  concurrency?: number
  /** push node to node: the target as the source Orthanc should reach it */
  direct?: { peerName: string; url: string; username: string; password: string }
}

export interface CopyOutcome {
  /** instances written to the target */
  copied: number
  /** of which pushed node to node */
  pushed: number
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
    super(
      `source lacks ${missing.length} and has ${damaged.length} damaged instance(s) of the study`
    )
  }
}

export async function copyStudy(request: CopyRequest): Promise<CopyOutcome> {
  const concurrency = request.concurrency ?? 4
  const { reference, source, target, orthancStudyId } = request

  // What the target holds now (with the MD5s it recorded), and which instances the source has.
  // The source's MD5s are the manifest's (read when its copy was verified); the bytes it sends
  // are checked against them in flight below.
  const [sourceIds, targetBefore] = await Promise.all([
    instanceIds(source, orthancStudyId),
    fetchManifest(target, orthancStudyId),
  ])
  const atTarget = compareManifests(reference, targetBefore)
  const needed = [...atTarget.missing, ...atTarget.mismatched]
  const sourceMissing = needed.filter((id) => !sourceIds.has(id))
  if (sourceMissing.length) throw new SourceIncomplete(sourceMissing, [])

  // A target instance with the wrong content is removed first: Orthanc keeps the first copy of an instance.
  await mapLimit(atTarget.mismatched, concurrency, (id) =>
    target.deleteInstance(id).catch((e) => (e?.isNotFound ? null : Promise.reject(e)))
  )

  let copied = 0
  let pushed = 0
  let bytes = 0
  const sourceDamaged: string[] = []
  // What the target recorded for each instance we sent, read back as soon as it is stored.
  const recorded: Manifest = {}
  let pending = needed

  if (request.direct && pending.length > 0) {
    const landed = await pushDirect(
      request,
      pending,
      pick(targetBefore, atTarget.mismatched, false)
    )
    if (landed) {
      for (const id of pending) {
        const at = landed[id]
        if (at && at[0] === reference[id][0]) {
          recorded[id] = at
          pushed++
          bytes += at[1]
        } else if (at) {
          // Arrived with another MD5: removed, and relayed below with the in-flight check.
          await target.deleteInstance(id).catch(() => undefined)
        }
      }
      copied += pushed
      pending = pending.filter((id) => !recorded[id])
    }
  }

  const buckets = request.buckets ?? []
  await mapLimit(pending, concurrency, async (id) => {
    const expectedSize = reference[id][1]
    let md5: string
    let sent: number
    let stored
    if (buckets.length === 0 && expectedSize <= IN_MEMORY_MAX_BYTES) {
      // No cap to pace and a file of ordinary size: one buffer costs the app less CPU than a stream.
      const body = await source.instanceBytes(id)
      md5 = createHash('md5').update(body).digest('hex')
      sent = body.length
      stored = await target.storeInstance(body)
    } else {
      const file = await source.instanceFile(id)
      const metered = new MeteredStream(buckets)
      pipeline(file.stream, metered, () => undefined)
      stored = await target.storeInstance(metered, { contentLength: file.size ?? expectedSize })
      md5 = metered.md5.digest('hex')
      sent = metered.bytes
    }
    bytes += sent
    if (md5 !== reference[id][0] || stored.ID !== id) {
      // The source's bytes are not the manifest's: its file rotted, or it holds another version.
      sourceDamaged.push(id)
      await target.deleteInstance(stored.ID).catch(() => undefined)
      return
    }
    recorded[id] = [await target.instanceMd5(id), sent]
    copied++
  })

  // The verification: the target's instance set now, and the MD5 it recorded for each instance.
  const targetManifest = await fetchManifest(target, orthancStudyId, 8, {
    ...pick(targetBefore, atTarget.mismatched, false),
    ...recorded,
  })
  const verification = compareManifests(reference, targetManifest)
  return {
    copied,
    pushed,
    bytes,
    sourceDamaged,
    sourceMissing: [],
    targetManifest,
    verification,
    verified: isIdentical(verification),
  }
}

/**
 * Asks the source Orthanc to push the instances to the target (one job,
 * synchronous) and reads back what the target recorded for them. Returns null
 * when the push could not be made (the source cannot reach that address, the
 * job failed): the caller relays instead.
 */
async function pushDirect(
  request: CopyRequest,
  ids: string[],
  known: Manifest
): Promise<Manifest | null> {
  const { source, target, orthancStudyId, direct } = request
  try {
    await source.putPeer(direct!.peerName, {
      url: direct!.url,
      username: direct!.username,
      password: direct!.password,
    })
    try {
      await source.storeToPeer(direct!.peerName, ids, { synchronous: true })
    } finally {
      // The target's password stays in the source's database only for the transfer.
      await source.deletePeer(direct!.peerName).catch(() => undefined)
    }
  } catch (error: any) {
    if (error?.isUnreachable) throw error
    return null
  }
  // The MD5s of the instances that were there before are known; only the pushed ones are read.
  const after = await fetchManifest(target, orthancStudyId, 8, known)
  return Object.fromEntries(ids.filter((id) => after[id]).map((id) => [id, after[id]]))
}

async function instanceIds(orthanc: OrthancClient, orthancStudyId: string) {
  try {
    return new Set((await orthanc.studyInstances(orthancStudyId)).map((i) => i.ID))
  } catch (error: any) {
    if (error?.isNotFound) return new Set<string>()
    throw error
  }
}

/** The entries of a manifest with (keep = true) or without the given ids. */
function pick(manifest: Manifest, ids: string[], keep: boolean): Manifest {
  const set = new Set(ids)
  return Object.fromEntries(Object.entries(manifest).filter(([id]) => set.has(id) === keep))
}

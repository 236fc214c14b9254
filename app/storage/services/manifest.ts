import { createHash } from 'node:crypto'
import type { Manifest } from '#models/archived_study'
import type { OrthancClient } from '#app/orthanc/orthanc_client'
import { mapLimit } from './concurrency.js'

/*
| A study's manifest: every instance with the MD5 Orthanc recorded when it
| stored it. Two copies are the same study when their manifests are equal:
| same instance set, same MD5 for each instance. Orthanc ids are hashes of the
| DICOM UIDs, so the same instance has the same id on every node.
*/

export type { Manifest }

export interface ManifestComparison {
  /** in the reference, not on the node */
  missing: string[]
  /** on the node with another MD5 than the reference */
  mismatched: string[]
  /** on the node, not in the reference (the study grew there) */
  extra: string[]
}

/** A short, order-independent fingerprint of a manifest (what a copy row remembers). */
export function manifestDigest(manifest: Manifest) {
  const lines = Object.keys(manifest)
    .sort()
    .map((id) => `${id}:${manifest[id][0]}`)
  return createHash('sha256').update(lines.join('\n')).digest('hex')
}

export function compareManifests(reference: Manifest, actual: Manifest): ManifestComparison {
  const missing: string[] = []
  const mismatched: string[] = []
  const extra: string[] = []
  for (const [id, [md5]] of Object.entries(reference)) {
    const found = actual[id]
    if (!found) missing.push(id)
    else if (found[0] !== md5) mismatched.push(id)
  }
  for (const id of Object.keys(actual)) if (!reference[id]) extra.push(id)
  return { missing, mismatched, extra }
}

export function isIdentical(comparison: ManifestComparison) {
  return (
    comparison.missing.length === 0 &&
    comparison.mismatched.length === 0 &&
    comparison.extra.length === 0
  )
}

/** Says what is wrong with a copy, briefly, for the copy row and the dashboard. */
export function describeDifference(comparison: ManifestComparison) {
  const parts = []
  if (comparison.missing.length) parts.push(`${comparison.missing.length} missing`)
  if (comparison.mismatched.length) parts.push(`${comparison.mismatched.length} MD5 mismatch`)
  if (comparison.extra.length) parts.push(`${comparison.extra.length} extra`)
  return parts.join(', ') || 'identical'
}

export function manifestBytes(manifest: Manifest) {
  return Object.values(manifest).reduce((total, [, size]) => total + size, 0)
}

/**
 * The manifest of a study as a node holds it now: the instance list and, for
 * each instance, the MD5 Orthanc recorded. An absent study is an empty manifest.
 * `known` MD5s were read from this same node just before (see copyStudy).
 */
export async function fetchManifest(
  orthanc: OrthancClient,
  orthancStudyId: string,
  concurrency = 8,
  known: Manifest = {}
): Promise<Manifest> {
  let instances
  try {
    instances = await orthanc.studyInstances(orthancStudyId)
  } catch (error: any) {
    if (error?.isNotFound) return {}
    throw error
  }
  const manifest: Manifest = {}
  // MD5s read moments ago (as each instance was stored) are not asked again; the instance list is.
  await mapLimit(instances, concurrency, async (instance) => {
    if (known[instance.ID]) {
      manifest[instance.ID] = [known[instance.ID][0], instance.FileSize]
      return
    }
    try {
      manifest[instance.ID] = [await orthanc.instanceMd5(instance.ID), instance.FileSize]
    } catch (error: any) {
      // deleted between the two calls: it is simply not there
      if (!error?.isNotFound) throw error
    }
  })
  return manifest
}

/*
| Extra Orthanc nodes for the storage tests (a member clinic's store, a
| backup site), started from the project's Orthanc configuration on the
| storage capability's own ports (HTTP 8061–8069, DICOM 4261–4269).
*/
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { OrthancProcess } from '../../bin/lib/orthanc_process.mjs'
import { OrthancClient } from '#app/orthanc/orthanc_client'

export const NODE_PASSWORD = 'node-Secret-42'

export function extraNode(name: string, slot: number) {
  return new OrthancProcess({
    name: `storage-test-${name}`,
    httpPort: 8060 + slot,
    dicomPort: 4260 + slot,
    aet: `STORE_${name.toUpperCase()}`.slice(0, 16),
    password: NODE_PASSWORD,
    stableAge: 1,
    fresh: true,
    // Orthanc's read cache would hide a file corrupted on disk from verify-md5.
    overrides: { MaximumStorageCacheSize: 0 },
  })
}

export function clientOf(node: OrthancProcess) {
  return new OrthancClient(node.credentials)
}

/** Stores every file of a study on a node, as a modality (or the clinic's DR) would. */
export async function storeStudy(client: OrthancClient, files: Array<{ data: Buffer }>) {
  let studyId = ''
  for (const file of files) studyId = (await client.storeInstance(file.data)).ParentStudy
  return studyId
}

/** Flips a byte in the stored file of an instance: bit rot on the node's disk. */
export async function corruptOnDisk(node: OrthancProcess, client: OrthancClient, instanceId: string) {
  const { FileUuid: uuid } = await client.instance(instanceId)
  const path = join(node.home, 'storage', uuid.slice(0, 2), uuid.slice(2, 4), uuid)
  const bytes = readFileSync(path)
  bytes[bytes.length - 16] ^= 0xff
  writeFileSync(path, bytes)
}

/** Instance id → MD5 as the node's Orthanc recorded it. */
export async function md5s(client: OrthancClient, orthancStudyId: string) {
  const result: Record<string, string> = {}
  for (const instance of await client.studyInstances(orthancStudyId)) result[instance.ID] = await client.instanceMd5(instance.ID)
  return result
}

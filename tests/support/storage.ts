/*
| Extra Orthanc nodes for the storage tests (a member clinic's store, a
| backup site), started from the project's Orthanc configuration on the
| storage capability's own ports: HTTP 8601–8609 and DICOM 4601–4609, shifted
| by 10 per WORKTREE_SLOT so that checkouts testing side by side on one machine
| never meet (a node restarted by one test must find its port still free).
*/
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import net from 'node:net'
import { OrthancProcess } from '../../bin/lib/orthanc_process.mjs'
import { OrthancClient } from '#app/orthanc/orthanc_client'

export const NODE_PASSWORD = 'node-Secret-42'

/** True when nothing listens on the port (on any interface: Orthanc 1.10 binds them all). */
export function portIsFree(port: number) {
  return new Promise<boolean>((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)))
  })
}

/** A port the OS just handed out as free (then closed again): for an address where nothing answers. */
export function unusedPort() {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
}

const taken = new Set<number>()
const SHIFT = Number(process.env.WORKTREE_SLOT ?? 0) * 10
const HTTP_BASE = 8600 + SHIFT
const DICOM_BASE = 4600 + SHIFT

/** A slot of this checkout's storage port range whose two ports are free now. */
export async function freeSlot() {
  for (let slot = 1; slot <= 9; slot++) {
    if (taken.has(slot)) continue
    if ((await portIsFree(HTTP_BASE + slot)) && (await portIsFree(DICOM_BASE + slot))) {
      taken.add(slot)
      return slot
    }
  }
  throw new Error(
    `no free port pair left in ${HTTP_BASE + 1}–${HTTP_BASE + 9} / ${DICOM_BASE + 1}–${DICOM_BASE + 9}`
  )
}

export function releaseSlot(slot: number) {
  taken.delete(slot)
}

export function extraNode(name: string, slot: number) {
  return new OrthancProcess({
    name: `storage-test-${name}`,
    httpPort: HTTP_BASE + slot,
    dicomPort: DICOM_BASE + slot,
    aet: `STORE_${name.toUpperCase()}`.slice(0, 16),
    password: NODE_PASSWORD,
    stableAge: 1,
    fresh: true,
    // Orthanc's read cache would hide a file corrupted on disk from verify-md5.
    overrides: { MaximumStorageCacheSize: 0 },
  })
}

/**
 * A member store and a backup site for one test group, on free ports of the
 * range; started together, stopped (and their ports released) together.
 */
export class ExtraNodes {
  member!: OrthancProcess
  backup!: OrthancProcess
  #slots: number[] = []

  async start() {
    this.#slots = [await freeSlot(), await freeSlot()]
    this.member = extraNode('member', this.#slots[0])
    this.backup = extraNode('backup', this.#slots[1])
    const started = await Promise.allSettled([this.member.start(), this.backup.start()])
    const failed = started.find((r) => r.status === 'rejected')
    if (failed) {
      // Leave no half-started pair behind (the group's teardown does not run when its setup fails).
      await this.stop()
      throw (failed as PromiseRejectedResult).reason
    }
  }

  async stop() {
    await Promise.all([this.member?.stop(), this.backup?.stop()])
    this.#slots.forEach(releaseSlot)
  }
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
export async function corruptOnDisk(
  node: OrthancProcess,
  client: OrthancClient,
  instanceId: string
) {
  const { FileUuid: uuid } = await client.instance(instanceId)
  const path = join(node.home, 'storage', uuid.slice(0, 2), uuid.slice(2, 4), uuid)
  const bytes = readFileSync(path)
  bytes[bytes.length - 16] ^= 0xff
  writeFileSync(path, bytes)
}

/** Instance id → MD5 as the node's Orthanc recorded it. */
export async function md5s(client: OrthancClient, orthancStudyId: string) {
  const result: Record<string, string> = {}
  for (const instance of await client.studyInstances(orthancStudyId))
    result[instance.ID] = await client.instanceMd5(instance.ID)
  return result
}

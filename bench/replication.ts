/*
| Replication throughput: the app's copy, as Replication.drain runs it, with
| the verification (every instance's MD5 as Orthanc recorded it on the target,
| against the manifest of the MD5s the source recorded), against Orthanc's own
| peer transfer (POST /peers/{peer}/store) of the same study set, side by side
| in one run, on loopback. The app's copy of an uncapped link to a node with a
| peer address is "direct" (the source Orthanc pushes, the app verifies); a
| capped link is "relayed" through the app (measured too, without a cap).
|
|   node --import ts-node-maintained/register/esm bench/replication.ts [studies] [instancesPerStudy] [rounds]
|
| Defaults: 12 CT studies × 25 instances of 512×512 (≈ 300 instances, ≈ 150 MB),
| 4 rounds (the order of the two methods swaps each round). Three Orthanc
| processes on free ports of 8601–8609 / 4601–4609: a source, a target for the
| app's copy, a target for Orthanc's peer store. Results print as a Markdown
| table and go to bench/results/replication-<time>.json.
*/
import { mkdirSync, writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import { OrthancProcess } from '../bin/lib/orthanc_process.mjs'
import { OrthancClient } from '../app/orthanc/orthanc_client.js'
import { syntheticInstance, newUid } from '../database/demo/synthetic_dicom.js'
import { copyStudy } from '../app/storage/services/study_copier.js'
import { fetchManifest, manifestBytes } from '../app/storage/services/manifest.js'
import { mapLimit } from '../app/storage/services/concurrency.js'
import { portIsFree } from '../tests/support/storage.js'

const STUDIES = Number(process.argv[2] ?? 12)
const PER_STUDY = Number(process.argv[3] ?? 25)
const ROUNDS = Number(process.argv[4] ?? 4)
/** the replication queue's defaults (Replication.drain: 2 transfers at once; copyStudy: 4 instances each) */
const TRANSFERS_AT_ONCE = 2
const INSTANCES_AT_ONCE = Number(process.env.BENCH_INSTANCES_AT_ONCE ?? 4)
const PASSWORD = 'bench-Secret-1'
const APP = 'app copy + verification (direct)'
const RELAY = 'app copy + verification (relayed)'
const PEER = 'Orthanc /peers/{peer}/store'

async function freeSlots(count: number) {
  const slots: number[] = []
  for (let slot = 1; slot <= 9 && slots.length < count; slot++) {
    if ((await portIsFree(8600 + slot)) && (await portIsFree(4600 + slot))) slots.push(slot)
  }
  if (slots.length < count) throw new Error('not enough free ports in 8601–8609 / 4601–4609')
  return slots
}

function node(name: string, slot: number) {
  return new OrthancProcess({
    name: `bench-${name}`,
    httpPort: 8600 + slot,
    dicomPort: 4600 + slot,
    password: PASSWORD,
    fresh: true,
    stableAge: 60,
  })
}

async function emptyNode(client: OrthancClient) {
  const studies = (await client.http.get('/studies')).data as string[]
  await mapLimit(studies, 4, (id) => client.deleteStudy(id))
}

interface Measure {
  method: string
  round: number
  seconds: number
  instances: number
  megabytes: number
  verified: boolean
}

async function main() {
  const [s1, s2, s3] = await freeSlots(3)
  const source = node('source', s1)
  const appTarget = node('app-target', s2)
  const peerTarget = node('peer-target', s3)
  try {
    await Promise.all([source.start(), appTarget.start(), peerTarget.start()])
    const src = new OrthancClient(source.credentials)
    const appDst = new OrthancClient(appTarget.credentials)
    const peerDst = new OrthancClient(peerTarget.credentials)
    await src.putPeer('bench-peer', peerTarget.credentials)

    console.log(
      `generating and storing ${STUDIES} × ${PER_STUDY} CT instances (512×512, 16 bit) on the source…`
    )
    const studyIds: string[] = []
    for (let s = 0; s < STUDIES; s++) {
      const study = {
        modality: 'CT' as const,
        patientName: `Bench^${s}`,
        patientId: `BENCH-${s}`,
        studyInstanceUid: newUid(),
        accessionNumber: `B${String(s).padStart(6, '0')}`,
      }
      const seriesInstanceUid = newUid()
      const files = Array.from({ length: PER_STUDY }, (_, i) =>
        syntheticInstance(study, {
          seriesInstanceUid,
          seriesNumber: 1,
          instanceNumber: i + 1,
          rows: 512,
          columns: 512,
          position: i / Math.max(1, PER_STUDY - 1),
        })
      )
      const stored = await mapLimit(files, 4, (file) => src.storeInstance(file))
      studyIds.push(stored[0].ParentStudy)
    }
    const stats = await src.statistics()
    console.log(`source holds ${stats.CountInstances} instances, ${stats.TotalDiskSizeMB} MB`)

    const measures: Measure[] = []
    const catalogueSeconds: number[] = []
    const appCpuSeconds: number[] = []
    const runApp = async (round: number, transport: 'direct' | 'relay') => {
      await emptyNode(appDst)
      // The catalogue's reference manifests (instance → MD5 as the source recorded it). The app reads
      // them once, when a study is discovered or its copy verified, not per transfer; timed apart.
      let started = performance.now()
      const references = await mapLimit(studyIds, TRANSFERS_AT_ONCE, (id) => fetchManifest(src, id))
      if (transport === 'direct') catalogueSeconds.push((performance.now() - started) / 1000)
      started = performance.now()
      const cpu = process.cpuUsage()
      let bytes = 0
      let instances = 0
      let verified = true
      await mapLimit(studyIds, TRANSFERS_AT_ONCE, async (id, index) => {
        const reference = references[index]
        const outcome = await copyStudy({
          orthancStudyId: id,
          reference,
          source: src,
          target: appDst,
          concurrency: INSTANCES_AT_ONCE,
          direct:
            transport === 'direct'
              ? { peerName: `bench-transfer-${round}-${index}`, ...appTarget.credentials }
              : undefined,
        })
        verified &&=
          outcome.verified &&
          (transport === 'relay' ? outcome.pushed === 0 : outcome.pushed === outcome.copied)
        bytes += manifestBytes(reference)
        instances += Object.keys(reference).length
      })
      const used = process.cpuUsage(cpu)
      if (transport === 'direct') appCpuSeconds.push((used.user + used.system) / 1e6)
      measures.push({
        method: transport === 'direct' ? APP : RELAY,
        round,
        seconds: (performance.now() - started) / 1000,
        instances,
        megabytes: bytes / 1048576,
        verified,
      })
    }
    const runPeer = async (round: number) => {
      await emptyNode(peerDst)
      const started = performance.now()
      const job = await src.storeToPeer('bench-peer', studyIds, { synchronous: true })
      const seconds = (performance.now() - started) / 1000
      const target = await peerDst.statistics()
      measures.push({
        method: PEER,
        round,
        seconds,
        instances: Number(job.InstancesCount ?? target.CountInstances),
        megabytes: Number(job.Size ?? 0) / 1048576,
        verified: false,
      })
    }
    for (let round = 1; round <= ROUNDS; round++) {
      if (round % 2 === 1) {
        await runApp(round, 'direct')
        await runPeer(round)
      } else {
        await runPeer(round)
        await runApp(round, 'direct')
      }
      await runApp(round, 'relay')
    }

    const times = (method: string) =>
      measures.filter((m) => m.method === method).map((m) => m.seconds)
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b)
      const mid = Math.floor(sorted.length / 2)
      return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
    const appTimes = times(APP)
    const peerTimes = times(PEER)
    const relayTimes = times(RELAY)
    const sum = (xs: number[]) => xs.reduce((t, x) => t + x, 0)
    // The same instances each round, so a throughput ratio is a ratio of times.
    const ratio = median(peerTimes) / median(appTimes)
    const ratioTotal = sum(peerTimes) / sum(appTimes)
    const ratioBest = Math.min(...peerTimes) / Math.min(...appTimes)
    const relayRatio = median(peerTimes) / median(relayTimes)
    console.log('\n| round | method | instances | MB | seconds | instances/s | MB/s | verified |')
    console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |')
    for (const m of measures) {
      console.log(
        `| ${m.round} | ${m.method} | ${m.instances} | ${m.megabytes.toFixed(1)} | ${m.seconds.toFixed(2)} | ${(m.instances / m.seconds).toFixed(1)} | ${(m.megabytes / m.seconds).toFixed(1)} | ${m.method === PEER ? 'no' : 'yes: every instance, MD5 on both nodes'} |`
      )
    }
    const ratioWithCatalogue = median(peerTimes) / (median(appTimes) + median(catalogueSeconds))
    console.log(
      `\nCPU time of the app process during its copies: ${appCpuSeconds.map((x) => x.toFixed(2)).join(' s, ')} s`
    )
    console.log(
      `reading the reference manifests (catalogue, once per study): ${catalogueSeconds.map((x) => x.toFixed(2)).join(' s, ')} s`
    )
    console.log(
      `app (direct) / Orthanc throughput over ${ROUNDS} rounds: median ${ratio.toFixed(2)}×, total ${ratioTotal.toFixed(2)}×, best round ${ratioBest.toFixed(2)}× (target ≥ 0.8×); median counting the catalogue read too: ${ratioWithCatalogue.toFixed(2)}×`
    )
    console.log(
      `app (relayed, as on a capped link, here uncapped) / Orthanc: median ${relayRatio.toFixed(2)}×`
    )
    if (measures.some((m) => m.method !== PEER && !m.verified))
      throw new Error('a copy did not verify (or did not take the expected transport)')

    mkdirSync('bench/results', { recursive: true })
    const file = `bench/results/replication-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
    writeFileSync(
      file,
      JSON.stringify(
        {
          studies: STUDIES,
          perStudy: PER_STUDY,
          rounds: ROUNDS,
          cpus: os.cpus().length,
          node: process.version,
          measures,
          catalogueSeconds,
          appCpuSeconds,
          ratio,
          ratioTotal,
          ratioBest,
          ratioWithCatalogue,
          relayRatio,
        },
        null,
        2
      )
    )
    console.log(`results written to ${file}`)
  } finally {
    await Promise.all([source.stop(), appTarget.stop(), peerTarget.stop()])
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})

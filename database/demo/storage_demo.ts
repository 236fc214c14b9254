/*
| The storage capability in the demo county: the central archive (the
| Orthanc `npm start` runs), a disaster-recovery backup site and one member
| clinic's local store. Only the centre runs here; the other two are
| described with addresses where nothing answers, so the dashboard shows them
| down and the backup's queue growing, exactly as it would while a line is cut.
| Start an Orthanc at one of those addresses (with the credentials set on the
| node's edit page) and the queue drains.
*/
import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import Institution from '#models/institution'
import User from '#models/user'
import Exam from '#models/exam'
import imaging from '#config/imaging'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { StorageNodeRegistry } from '#app/storage/services/storage_node_registry'
import { LegalHolds } from '#app/storage/services/legal_holds'

export async function seedStorageDemo(log: (message: string) => void = () => {}) {
  const registry = await app.container.make(StorageNodeRegistry)
  const lead = await Institution.findByOrFail('code', 'LEAD')
  const clinic = await Institution.findByOrFail('code', 'M01')
  const upper = await Institution.findBy('code', 'UPPER')

  log(
    'registering storage nodes: the central archive (running), a backup site and a clinic store (described, not running)…'
  )
  const central = await registry.register({
    name: '中心归档（清河县人民医院）',
    role: 'central',
    institutionId: lead.id,
    url: imaging.orthanc.url,
    username: imaging.orthanc.username,
    password: imaging.orthanc.password,
    capacityGb: 2048,
    // Everything the demo county already stored is catalogued and protected.
    catalogueExisting: true,
  })
  const described = [
    {
      name: '异地容灾备份（江州市数据中心）',
      role: 'backup' as const,
      url: 'http://127.0.0.1:8044',
      capacityGb: 8192,
      bandwidthLimitKbps: 100_000,
    },
    {
      name: '城关镇卫生院本地存储',
      role: 'member' as const,
      institutionId: clinic.id,
      url: 'http://127.0.0.1:8045',
      capacityGb: 500,
      bandwidthLimitKbps: 20_000,
    },
    // C 4.2.3: the upper-level hospital's Orthanc, which receives the escalated consultations' studies only.
    ...(upper
      ? [
          {
            name: '江州市中心医院影像存储（上转会诊）',
            role: 'upper' as const,
            institutionId: upper.id,
            url: 'http://127.0.0.1:8046',
            capacityGb: 1024,
          },
        ]
      : []),
  ]
  for (const node of described) {
    try {
      const registered = await registry.register({
        ...node,
        username: 'imaging-app',
        password: randomBytes(12).toString('base64url'),
        catalogueExisting: true,
      })
      if (registered.role === 'member')
        await registry.setRetention(registered, { retentionYears: 1, retentionDryRun: true })
    } catch (error) {
      // Something else answers at that address on this machine: the demo goes on without that node.
      if (!(error instanceof DomainRefusal)) throw error
      log(
        `storage node "${node.name}" not registered (${error.code}) — another service answers at ${node.url}`
      )
    }
  }

  // A legal hold: a patient whose images are wanted by a court, so none of them is ever deleted.
  const admin = await User.findByOrFail('username', 'admin')
  const disputed = await Exam.query().where('institution_id', clinic.id).orderBy('id').first()
  if (disputed) {
    const holds = await app.container.make(LegalHolds)
    await holds.place(admin, {
      scope: 'patient',
      reference: disputed.accessionNumber,
      reason: '演示：医疗纠纷，法院调取影像，暂停删除',
    })
  }
  return { central: central.id }
}

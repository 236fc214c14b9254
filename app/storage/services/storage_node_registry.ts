import { inject } from '@adonisjs/core'
import encryption from '@adonisjs/core/services/encryption'
import db from '@adonisjs/lucid/services/db'
import StorageNode, { type NodeRole } from '#models/storage_node'
import Institution from '#models/institution'
import { OrthancClient, OrthancError } from '#app/orthanc/orthanc_client'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { minimumRetentionYears } from './retention_rules.js'

/*
| The Orthanc nodes the alliance stores images on (C 8.3.2, C 8.3.3): one
| central archive at the lead hospital, a local store per member clinic that
| has one, and one or more disaster-recovery backups. The administrator
| registers each with its address and credentials; the password is kept
| encrypted (C 8.5) and decrypted only to build the node's client.
*/

const PASSWORD_PURPOSE = 'storage-node-password'

export interface NodeInput {
  name: string
  role: NodeRole
  institutionId?: number | null
  url: string
  /** the address other nodes reach this one at (direct transfers); blank: relayed through the app */
  peerUrl?: string | null
  username: string
  /** required when registering; blank on update keeps the stored one */
  password?: string | null
  bandwidthLimitKbps?: number | null
  capacityGb?: number | null
  active?: boolean
  /** read the node's whole /changes history, so studies already on it are catalogued and copied */
  catalogueExisting?: boolean
}

export interface RetentionInput {
  retentionYears: number
  keepsThirtyYears?: boolean
  retentionDryRun?: boolean
}

/** Node id → its client, rebuilt when the address or credentials change. */
const clients = new Map<number, { key: string; client: OrthancClient }>()

@inject()
export class StorageNodeRegistry {
  constructor(protected clock: Clock) {}

  /** The node's password, decrypted (for its client, and for a direct transfer's peer declaration). */
  passwordOf(node: StorageNode) {
    const password = encryption.decrypt<string>(node.passwordCipher, PASSWORD_PURPOSE)
    if (password === null)
      throw new Error(
        `storage node ${node.id}: stored password cannot be decrypted (APP_KEY changed?)`
      )
    return password
  }

  /** The Orthanc client for a node, with its decrypted credentials. */
  clientFor(node: StorageNode) {
    const key = `${node.url}|${node.username}|${node.passwordCipher}`
    const cached = clients.get(node.id)
    if (cached && cached.key === key) return cached.client
    const client = new OrthancClient({
      url: node.url,
      username: node.username,
      password: this.passwordOf(node),
    })
    clients.set(node.id, { key, client })
    return client
  }

  static normaliseUrl(url: string) {
    return url.trim().replace(/\/+$/, '')
  }

  /**
   * The refusals a registration would meet, before it is sent for approval (two-person rule): a typing
   * error is answered at once, not after the security administrator approved it.
   */
  async vet(input: NodeInput, existing?: StorageNode) {
    await this.check(input, existing)
    if (input.password)
      await this.probeCredentials(
        StorageNodeRegistry.normaliseUrl(input.url),
        input.username,
        input.password
      )
  }

  protected async check(input: NodeInput, existing?: StorageNode) {
    const url = StorageNodeRegistry.normaliseUrl(input.url)
    const sameName = await StorageNode.query()
      .where('name', input.name)
      .whereNot('id', existing?.id ?? 0)
      .first()
    if (sameName) throw new DomainRefusal('node_name_taken', 'storage.nodes.name_taken')
    const sameUrl = await StorageNode.query()
      .where('url', url)
      .whereNot('id', existing?.id ?? 0)
      .first()
    if (sameUrl)
      throw new DomainRefusal('node_url_taken', 'storage.nodes.url_taken', { name: sameUrl.name })
    if (existing && existing.role !== input.role) {
      // Copies, queue and retention all depend on the role: a node changes role by being registered anew.
      throw new DomainRefusal('node_role_fixed', 'storage.nodes.role_fixed')
    }
    if (input.role === 'central' && (input.active ?? true)) {
      const central = await StorageNode.query()
        .where('role', 'central')
        .where('active', true)
        .whereNot('id', existing?.id ?? 0)
        .first()
      if (central)
        throw new DomainRefusal('one_central_node', 'storage.nodes.one_central', {
          name: central.name,
        })
    }
    if (input.role === 'member') {
      const clinic = input.institutionId ? await Institution.find(input.institutionId) : null
      if (!clinic || clinic.kind !== 'member_clinic')
        throw new DomainRefusal('member_needs_clinic', 'storage.nodes.member_needs_clinic')
      const other = await StorageNode.query()
        .where('role', 'member')
        .where('institution_id', clinic.id)
        .where('active', true)
        .whereNot('id', existing?.id ?? 0)
        .first()
      if (other && (input.active ?? true))
        throw new DomainRefusal('one_store_per_clinic', 'storage.nodes.one_per_clinic', {
          name: other.name,
        })
    }
    if (input.role === 'upper') {
      // C 4.2.3: the upper-level hospital's own Orthanc, where escalated consultations' studies go.
      const upper = input.institutionId ? await Institution.find(input.institutionId) : null
      if (!upper || upper.kind !== 'upper_hospital')
        throw new DomainRefusal('upper_needs_hospital', 'storage.nodes.upper_needs_hospital')
    }
    if (!existing && !input.password)
      throw new DomainRefusal('password_required', 'storage.nodes.password_required')
  }

  /**
   * Asks the node who it is with the given credentials. A node that refuses
   * them is a typing error the administrator must fix; a node that does not
   * answer may simply not be running yet, and is registered as down.
   */
  protected async probeCredentials(url: string, username: string, password: string) {
    const client = new OrthancClient({ url, username, password, timeoutMs: 5000 })
    try {
      const system = await client.system()
      return { reachable: true as const, client, system }
    } catch (error) {
      if (
        error instanceof OrthancError &&
        (error.orthancStatus === 401 || error.orthancStatus === 403)
      ) {
        throw new DomainRefusal('node_credentials_refused', 'storage.nodes.credentials_refused')
      }
      return { reachable: false as const, client, system: null }
    }
  }

  async register(input: NodeInput) {
    await this.check(input)
    const url = StorageNodeRegistry.normaliseUrl(input.url)
    const probe = await this.probeCredentials(url, input.username, input.password!)
    // Starting the feed at 0 catalogues (and so protects) what the node already holds.
    let changesSeq = 0
    if (input.catalogueExisting === false && probe.reachable)
      changesSeq = await probe.client.lastChange()
    const node = await StorageNode.create({
      name: input.name,
      role: input.role,
      institutionId: input.institutionId ?? null,
      url,
      peerUrl: input.peerUrl ? StorageNodeRegistry.normaliseUrl(input.peerUrl) : null,
      username: input.username,
      passwordCipher: encryption.encrypt(input.password!, undefined, PASSWORD_PURPOSE),
      bandwidthLimitKbps: input.bandwidthLimitKbps ?? null,
      capacityGb: input.capacityGb ?? null,
      retentionYears: minimumRetentionYears(input.role, false),
      keepsThirtyYears: false,
      // Nothing is deleted from a new member store until an administrator has seen what would be.
      retentionDryRun: true,
      active: input.active ?? true,
      status: 'unknown',
      changesSeq,
    })
    await this.checkHealth(node)
    return node
  }

  async update(node: StorageNode, input: NodeInput) {
    await this.check(input, node)
    const url = StorageNodeRegistry.normaliseUrl(input.url)
    const previousUrl = node.url
    const credentialsChanged =
      url !== node.url || input.username !== node.username || !!input.password
    if (credentialsChanged) {
      const password =
        input.password || encryption.decrypt<string>(node.passwordCipher, PASSWORD_PURPOSE) || ''
      await this.probeCredentials(url, input.username, password)
    }
    node.merge({
      name: input.name,
      institutionId: input.institutionId ?? null,
      url,
      peerUrl: input.peerUrl ? StorageNodeRegistry.normaliseUrl(input.peerUrl) : null,
      username: input.username,
      bandwidthLimitKbps: input.bandwidthLimitKbps ?? null,
      capacityGb: input.capacityGb ?? null,
      active: input.active ?? true,
    })
    if (input.password)
      node.passwordCipher = encryption.encrypt(input.password, undefined, PASSWORD_PURPOSE)
    // Another Orthanc behind the node: its feed starts from the beginning (known studies are only re-checked).
    if (url !== previousUrl) node.changesSeq = 0
    await node.save()
    if (!node.active) {
      // A retired node receives nothing more; its queued transfers end (they are planned again if it returns).
      await db
        .from('storage_transfers')
        .where('target_node_id', node.id)
        .whereIn('status', ['queued', 'running'])
        .update({
          status: 'cancelled',
          active_key: null,
          finished_at: this.clock.now().toUTC().toSQL({ includeOffset: false }),
          last_error: 'node retired',
        })
    }
    if (credentialsChanged) await this.checkHealth(node)
    return node
  }

  /**
   * C 8.3.2: the centre (and its backups) keep ≥ 30 years from the exam date, a
   * member ≥ 1 year, or ≥ 30 when it keeps its originals permanently too. A
   * lower value is refused, not rounded up.
   */
  async setRetention(node: StorageNode, input: RetentionInput) {
    const keepsThirty = node.role === 'member' ? (input.keepsThirtyYears ?? false) : false
    const minimum = minimumRetentionYears(node.role, keepsThirty)
    if (!Number.isInteger(input.retentionYears) || input.retentionYears < minimum) {
      throw new DomainRefusal(
        'retention_below_minimum',
        `storage.retention.below_minimum_${node.role === 'member' && !keepsThirty ? 'member' : 'archive'}`,
        {
          minimum,
          given: input.retentionYears,
        }
      )
    }
    const before = {
      retentionYears: node.retentionYears,
      keepsThirtyYears: node.keepsThirtyYears,
      retentionDryRun: node.retentionDryRun,
    }
    node.merge({
      retentionYears: input.retentionYears,
      keepsThirtyYears: keepsThirty,
      retentionDryRun: input.retentionDryRun ?? node.retentionDryRun,
    })
    await node.save()
    return { node, before }
  }

  /** Asks the node for its version and statistics; records up or down. */
  async checkHealth(node: StorageNode) {
    const now = this.clock.now()
    try {
      const client = this.clientFor(node)
      const [system, statistics] = await Promise.all([client.system(), client.statistics()])
      node.merge({
        status: 'up',
        statusCheckedAt: now,
        lastUpAt: now,
        lastError: null,
        orthancVersion: system.Version,
        diskUsedMb: statistics.TotalDiskSizeMB,
        orthancStudyCount: statistics.CountStudies,
        orthancInstanceCount: statistics.CountInstances,
      })
    } catch (error) {
      node.merge({
        status: 'down',
        statusCheckedAt: now,
        lastError: String((error as Error).message).slice(0, 255),
      })
    }
    await node.save()
    return node
  }

  async markDown(node: StorageNode, error: unknown) {
    node.merge({
      status: 'down',
      statusCheckedAt: this.clock.now(),
      lastError: String((error as Error)?.message ?? error).slice(0, 255),
    })
    await node.save()
  }

  async checkAll() {
    const nodes = await StorageNode.query().where('active', true)
    for (const node of nodes) await this.checkHealth(node)
    return nodes
  }

  static activeNodes() {
    return StorageNode.query().where('active', true).orderBy('id')
  }
}

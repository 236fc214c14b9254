import vine from '@vinejs/vine'
import { NODE_ROLES } from '#models/storage_node'

/*
| Shape checks only. The storage rules (one centre, a member store belongs to
| a clinic, retention minimums) are the services' refusals, which are audited.
*/

const nodeFields = {
  name: vine.string().trim().minLength(2).maxLength(64),
  institutionId: vine.number().positive().withoutDecimals().optional(),
  url: vine
    .string()
    .trim()
    .maxLength(255)
    .url({ require_protocol: true, protocols: ['http', 'https'], require_tld: false }),
  peerUrl: vine
    .string()
    .trim()
    .maxLength(255)
    .url({ require_protocol: true, protocols: ['http', 'https'], require_tld: false })
    .optional(),
  username: vine.string().trim().minLength(1).maxLength(64),
  password: vine.string().minLength(1).maxLength(128).optional(),
  /** Mbit/s as people say it; stored as kbit/s */
  bandwidthLimitMbps: vine.number().min(0.1).max(100_000).optional(),
  capacityGb: vine.number().min(1).max(10_000_000).withoutDecimals().optional(),
  active: vine.boolean().optional(),
}

export const registerNodeValidator = vine.compile(
  vine.object({
    ...nodeFields,
    role: vine.enum(NODE_ROLES),
    password: vine.string().minLength(1).maxLength(128),
    catalogueExisting: vine.boolean().optional(),
  })
)

export const updateNodeValidator = vine.compile(vine.object(nodeFields))

export const retentionValidator = vine.compile(
  vine.object({
    // The minimum depends on the node's role and mode: the service refuses (and audits) a lower value.
    retentionYears: vine.number().withoutDecimals().min(0).max(200),
    keepsThirtyYears: vine.boolean().optional(),
    retentionDryRun: vine.boolean().optional(),
  })
)

export const retentionRunValidator = vine.compile(
  vine.object({
    dryRun: vine.boolean().optional(),
  })
)

export const legalHoldValidator = vine.compile(
  vine.object({
    scope: vine.enum(['patient', 'study'] as const),
    reference: vine.string().trim().minLength(1).maxLength(80),
    reason: vine.string().trim().minLength(4).maxLength(1000),
  })
)

export const releaseHoldValidator = vine.compile(
  vine.object({
    reason: vine.string().trim().minLength(4).maxLength(1000),
  })
)

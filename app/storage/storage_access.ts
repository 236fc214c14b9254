import StorageNode from '#models/storage_node'
import ArchivedStudy from '#models/archived_study'
import LegalHold from '#models/legal_hold'
import RetentionRun from '#models/retention_run'
import { can } from '#app/platform/http/can'
import { recordById as byId } from '#app/platform/http/use_case'

/*
| Storage's pipeline steps: only administrators (StoragePolicy, C 8.5 least
| privilege); records named by numeric id.
*/
export const mayManageStorage = can('StoragePolicy', 'manage')

export const storageNodeTarget = byId('storage_node', (id) => StorageNode.find(id))
export const archivedStudyTarget = byId('archived_study', (id) =>
  ArchivedStudy.query().where('id', id).preload('origin').first()
)
export const legalHoldTarget = byId('legal_hold', (id) => LegalHold.find(id))
export const retentionRunTarget = byId('retention_run', (id) => RetentionRun.find(id))

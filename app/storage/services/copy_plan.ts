import type { NodeRole } from '#models/storage_node'
import type { CopyState } from '#models/study_copy'
import type { TransferPurpose } from '#models/storage_transfer'

/*
| Which copies a study still needs (C 8.3.2, C 8.3.3), as a plain function:
| - a study that reaches a member store is forwarded to the centre;
| - once the centre's copy is verified, every backup node gets one (the backup
|   copies are taken from the centre, not over the clinic's uplink again);
|   with no central node registered, backups copy from wherever the study is;
| - a copy found damaged (or left half-done) anywhere is repaired;
| - a copy the retention job deleted is never brought back.
*/

export interface PlanNode {
  id: number
  role: NodeRole
}

export interface PlanCopy {
  nodeId: number
  state: CopyState
}

export interface PlannedTransfer {
  nodeId: number
  purpose: TransferPurpose
}

const NEEDS_WORK: CopyState[] = ['expected', 'present', 'damaged']

export function transfersNeeded(
  originRole: NodeRole,
  activeNodes: PlanNode[],
  copies: PlanCopy[],
  queuedTargets: Set<number>
): PlannedTransfer[] {
  const copyAt = new Map(copies.map((c) => [c.nodeId, c.state]))
  const planned: PlannedTransfer[] = []
  const want = (node: PlanNode, firstPurpose: TransferPurpose) => {
    if (queuedTargets.has(node.id)) return
    const state = copyAt.get(node.id)
    if (state === undefined) planned.push({ nodeId: node.id, purpose: firstPurpose })
    else if (NEEDS_WORK.includes(state))
      planned.push({ nodeId: node.id, purpose: state === 'damaged' ? 'repair' : firstPurpose })
  }

  const central = activeNodes.find((n) => n.role === 'central')
  if (central) want(central, originRole === 'member' ? 'forward' : 'replicate')
  const centralVerified = central ? copyAt.get(central.id) === 'verified' : true
  for (const backup of activeNodes.filter((n) => n.role === 'backup')) {
    if (centralVerified || copyAt.get(backup.id) === 'damaged') want(backup, 'replicate')
  }
  // Members hold only their own originals: they are repaired, never sent others' studies.
  for (const member of activeNodes.filter((n) => n.role === 'member')) {
    const state = copyAt.get(member.id)
    if (state === 'present' || state === 'damaged') want(member, 'repair')
  }
  return planned
}

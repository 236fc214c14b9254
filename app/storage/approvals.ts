/*
| Storage's two-person changes (MLPS 8.1.4.2): registering a storage node, or changing where a node is or the
| credentials the app uses for it, can send every clinic's images to a server of someone's choosing. The
| system administrator asks; the security administrator approves (app/approvals); only then does the node
| exist (or change), so no copy is queued for it before. Imported by ./routes.ts.
*/
import app from '@adonisjs/core/services/app'
import StorageNode from '#models/storage_node'
import { approvalKinds } from '#app/approvals/services/two_person_approval'
import type { NodeInput } from '#app/storage/services/storage_node_registry'

export const REGISTER_NODE = 'storage.node.register'
export const CHANGE_NODE = 'storage.node.change'

approvalKinds.register<NodeInput>(REGISTER_NODE, {
  async execute(input) {
    const { StorageNodeRegistry } = await import('#app/storage/services/storage_node_registry')
    const { StudyCatalogue } = await import('#app/storage/services/study_catalogue')
    const node = await (await app.container.make(StorageNodeRegistry)).register(input)
    // A new backup lowers every study's status until it holds a copy; the replication cycle queues the copies.
    if (node.role !== 'member')
      await (await app.container.make(StudyCatalogue)).refreshAllStatuses()
    return { type: 'storage_node', id: node.id }
  },
})

approvalKinds.register<{ nodeId: number; input: NodeInput }>(CHANGE_NODE, {
  async execute({ nodeId, input }) {
    const { StorageNodeRegistry } = await import('#app/storage/services/storage_node_registry')
    const { StudyCatalogue } = await import('#app/storage/services/study_catalogue')
    const node = await StorageNode.findOrFail(nodeId)
    const wasActive = node.active
    const saved = await (await app.container.make(StorageNodeRegistry)).update(node, input)
    if (saved.active !== wasActive)
      await (await app.container.make(StudyCatalogue)).refreshAllStatuses()
    return { type: 'storage_node', id: saved.id }
  },
})

/** What the approver reads: never the password. */
export function nodeSummary(input: NodeInput, node?: StorageNode) {
  return {
    name: input.name,
    role: input.role,
    url: input.url,
    username: input.username,
    passwordChanged: !!input.password,
    ...(node ? { nodeId: node.id, previousUrl: node.url, previousUsername: node.username } : {}),
  }
}

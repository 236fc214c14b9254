import router from '@adonisjs/core/services/router'
import '#app/storage/wiring'
import '#app/storage/approvals'
import { middleware } from '#start/kernel'

const StorageDashboardController = () =>
  import('#app/storage/controllers/storage_dashboard_controller')
const StorageNodesController = () => import('#app/storage/controllers/storage_nodes_controller')
const RetentionController = () => import('#app/storage/controllers/retention_controller')
const LegalHoldsController = () => import('#app/storage/controllers/legal_holds_controller')

/*
| Tiered storage (C 8.3.2, C 8.3.3): administrators only (StoragePolicy); a
| refused request is audited.
*/
router
  .group(() => {
    router.get('/', [StorageDashboardController, 'show']).as('storage.dashboard')
    router.get('/studies/:id', [StorageDashboardController, 'study']).as('storage.studies.show')

    router.get('/nodes', [StorageNodesController, 'index']).as('storage.nodes.index')
    router.post('/nodes', [StorageNodesController, 'store']).as('storage.nodes.store')
    router.get('/nodes/:id/edit', [StorageNodesController, 'edit']).as('storage.nodes.edit')
    router.put('/nodes/:id', [StorageNodesController, 'update']).as('storage.nodes.update')
    router.post('/nodes/:id/check', [StorageNodesController, 'check']).as('storage.nodes.check')
    router
      .put('/nodes/:id/retention', [StorageNodesController, 'retention'])
      .as('storage.nodes.retention')

    router.get('/retention', [RetentionController, 'index']).as('storage.retention.index')
    router.post('/retention/runs', [RetentionController, 'run']).as('storage.retention.run')
    router.get('/retention/runs/:id', [RetentionController, 'show']).as('storage.retention.show')

    router.get('/holds', [LegalHoldsController, 'index']).as('storage.holds.index')
    router.post('/holds', [LegalHoldsController, 'store']).as('storage.holds.store')
    router.post('/holds/:id/release', [LegalHoldsController, 'release']).as('storage.holds.release')
  })
  .prefix('/storage')
  .use(middleware.auth())

router
  .group(() => {
    router.get('/status', [StorageDashboardController, 'show'])
    router.get('/nodes', [StorageNodesController, 'index'])
    router.post('/nodes', [StorageNodesController, 'store'])
    router.put('/nodes/:id', [StorageNodesController, 'update'])
    router.post('/nodes/:id/check', [StorageNodesController, 'check'])
    router.put('/nodes/:id/retention', [StorageNodesController, 'retention'])
    router.post('/retention/runs', [RetentionController, 'run'])
    router.post('/holds', [LegalHoldsController, 'store'])
    router.post('/holds/:id/release', [LegalHoldsController, 'release'])
  })
  .prefix('/api/v1/storage')
  .use(middleware.auth({ guards: ['api'] }))

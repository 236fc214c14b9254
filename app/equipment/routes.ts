import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const EquipmentController = () => import('#app/equipment/controllers/equipment_controller')

router
  .group(() => {
    router.get('/equipment', [EquipmentController, 'index']).as('admin.equipment.index')
    router
      .get('/equipment/institutions/:institutionId', [EquipmentController, 'show'])
      .as('admin.equipment.show')
    router.post('/equipment', [EquipmentController, 'store']).as('admin.equipment.store')
    router.get('/equipment/:id/edit', [EquipmentController, 'edit']).as('admin.equipment.edit')
    router.put('/equipment/:id', [EquipmentController, 'update']).as('admin.equipment.update')
  })
  .prefix('/admin')
  .use([middleware.auth(), middleware.role({ roles: ['admin'] })])

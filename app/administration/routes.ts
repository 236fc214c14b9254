import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import '#app/administration/approvals'

const InstitutionsController = () =>
  import('#app/administration/controllers/institutions_controller')
const UsersController = () => import('#app/administration/controllers/users_controller')
const DicomSendersController = () =>
  import('#app/administration/controllers/dicom_senders_controller')
const CatalogueController = () => import('#app/administration/controllers/catalogue_controller')

router
  .group(() => {
    router.get('/institutions', [InstitutionsController, 'index']).as('admin.institutions.index')
    router
      .get('/institutions/new', [InstitutionsController, 'create'])
      .as('admin.institutions.create')
    router.post('/institutions', [InstitutionsController, 'store']).as('admin.institutions.store')
    router
      .get('/institutions/:id/edit', [InstitutionsController, 'edit'])
      .as('admin.institutions.edit')
    router
      .put('/institutions/:id', [InstitutionsController, 'update'])
      .as('admin.institutions.update')

    router.get('/users', [UsersController, 'index']).as('admin.users.index')
    router.get('/users/new', [UsersController, 'create']).as('admin.users.create')
    router.post('/users', [UsersController, 'store']).as('admin.users.store')
    router.get('/users/:id/edit', [UsersController, 'edit']).as('admin.users.edit')
    router.put('/users/:id', [UsersController, 'update']).as('admin.users.update')

    router.get('/senders', [DicomSendersController, 'index']).as('admin.senders.index')
    router.post('/senders', [DicomSendersController, 'store']).as('admin.senders.store')
    router.put('/senders/:id', [DicomSendersController, 'update']).as('admin.senders.update')
    router.delete('/senders/:id', [DicomSendersController, 'destroy']).as('admin.senders.destroy')

    router.get('/catalogue', [CatalogueController, 'index']).as('admin.catalogue.index')
    router.post('/catalogue', [CatalogueController, 'store']).as('admin.catalogue.store')
    router
      .post('/catalogue/:id/toggle', [CatalogueController, 'toggle'])
      .as('admin.catalogue.toggle')
  })
  .prefix('/admin')
  .use([middleware.auth(), middleware.role({ roles: ['admin'] })])

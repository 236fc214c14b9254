import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const HomeController = () => import('#app/platform/controllers/home_controller')
const SystemController = () => import('#app/platform/controllers/system_controller')

router.get('/', [HomeController, 'show']).use(middleware.auth()).as('home')
router.get('/health', [SystemController, 'health']).as('health')
router.get('/api/v1/openapi.yaml', [SystemController, 'openapi']).as('api.openapi')
router.get('/api-docs', [SystemController, 'apiDocs']).as('api.docs')

import StoragePolicy from '#app/storage/policies/storage_policy'
import { navigation } from '#app/platform/navigation'

const storage = new StoragePolicy()

navigation.link({
  section: 'admin.images',
  order: 30,
  href: '/storage',
  label: 'storage.nav',
  primary: true,
  visible: (user) => storage.manage(user),
})

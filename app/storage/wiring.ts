/*
| Wires storage into the central Orthanc's change feed: each stable study on
| the lead hospital's Orthanc (the one the app itself uses) is catalogued for
| the central storage node(s) registered at that address. Member and backup
| nodes are other Orthancs; their feeds are read by the storage cycle itself,
| through the same reader (app/orthanc/change_feed.ts).
| Imported by ./routes.ts, which every process that serves HTTP loads.
*/
import app from '@adonisjs/core/services/app'
import { subscribeToChanges, CENTRAL_FEED } from '#app/orthanc/change_feed'

subscribeToChanges({
  name: 'storage',
  changeTypes: ['StableStudy'],
  feeds: (feed) => feed === CENTRAL_FEED,
  async handle(change) {
    const { StudyCatalogue } = await import('#app/storage/services/study_catalogue')
    const catalogue = await app.container.make(StudyCatalogue)
    await catalogue.noteCentralChange(change)
  },
})

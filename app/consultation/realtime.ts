/*
| Consultations on the live channel: a consultant's socket gets its open
| consultations again on every (re)connect, since socket.io delivers at most
| once and a browser may have been closed when one was assigned.
*/
import app from '@adonisjs/core/services/app'
import { realtime } from '#app/realtime/realtime'
import { ConsultationList } from '#app/consultation/services/consultation_list'
import { consultationSummary } from '#app/consultation/services/consultation_news'

realtime.onConnection(async (socket, user) => {
  if (user.role !== 'radiologist') return
  const listing = await app.container.make(ConsultationList)
  for (const consultation of await listing.openFor(user.id))
    socket.emit('consultation:assigned', { ...consultationSummary(consultation), reason: 'open' })
})

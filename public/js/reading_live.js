// Live reading news: a clinic is told the moment one of its reports is signed; a doctor when a report is
// returned to them or an exam is handed to them. The stored report list is the record; this is the nudge.
import { fill, messagesBlock } from './lib/i18n.js'
import { on, tell } from './lib/live.js'

const messages = messagesBlock('live-messages').reading || {}

on('report:signed', (event) => {
  tell(fill(messages.signed, { accession: event.accessionNumber }), event.url)
  document.dispatchEvent(new CustomEvent('report:signed', { detail: event }))
})
on('reading:returned', (event) => {
  tell(fill(messages.returned, { accession: event.accessionNumber }), '/reading/exams/' + event.id)
})
on('reading:assigned', (event) => {
  tell(fill(messages.assigned, { accession: event.accessionNumber }), '/reading/exams/' + event.id)
})

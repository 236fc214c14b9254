// Q 7.1: a failed QC score is news for the person scored and their clinic (socket event quality:failed).
import { fill, messagesBlock } from './lib/i18n.js'
import { on, showToast } from './lib/live.js'

const messages = messagesBlock('quality-live-messages')

on('quality:failed', (event) => {
  showToast(
    fill(messages.failed, {
      accession: event.accessionNumber,
      item: (messages.items || {})[event.item] || event.item,
      score: String(event.score),
    })
  )
})

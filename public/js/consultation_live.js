// Live consultation news: a consultant is told the moment a consultation is handed to them (or escalated to
// them); on a consultation's page the thread and the opinion update as they are written. What is stored is the
// record (the page shows it on load); this is the nudge.
import { fill, messagesBlock } from './lib/i18n.js'
import { on, tell } from './lib/live.js'

const messages = messagesBlock('live-messages').consultation || {}
const thread = document.getElementById('consultation-thread')
const current = thread ? Number(thread.dataset.consultation) : null
const seen = new Set()

function announce(kind, event) {
  const key = kind + ':' + event.id + ':' + (event.reason || '')
  if (seen.has(key)) return
  seen.add(key)
  tell(fill(messages[kind], { id: event.id }), event.url)
  const list = document.getElementById('consultation-list')
  if (list) list.dataset.fresh = String(event.id)
  document.dispatchEvent(new CustomEvent('consultation:' + kind, { detail: event }))
}

function element(tag, className, text) {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

on('consultation:assigned', (event) => {
  announce(
    event.reason === 'escalated' || event.reason === 'head_of_department'
      ? 'escalated'
      : 'assigned',
    event
  )
})

// C 9.4: a specialty centre is told of each exam shared with it, and of its report.
on('share:new', (event) => {
  tell(fill(messages.shareNew, { accession: event.accessionNumber }), event.url)
})
on('share:report', (event) => {
  tell(messages.shareReport, event.url)
})

// C 4.2.3: the upper-level hospital is told once an escalated study is verified in its Orthanc.
on('consultation:upper_escalated', (event) => {
  announce('upperEscalated', event)
})

on('consultation:message', (event) => {
  if (current !== event.consultationId) {
    tell(
      fill(messages.message, { id: event.consultationId }),
      '/consultations/' + event.consultationId + '#thread'
    )
    return
  }
  if (thread.querySelector('[data-message="' + event.id + '"]')) return
  const item = element('li', event.kind)
  item.dataset.message = event.id
  item.append(
    element('span', 'small muted', event.at + ' '),
    element('strong', '', (event.author || '') + ': '),
    element('span', 'prewrap', event.body)
  )
  thread.append(item)
})

on('consultation:answered', (event) => {
  if (current !== event.id) {
    tell(fill(messages.answered, { id: event.id }), event.url)
    return
  }
  const panel = document.getElementById('consultation-opinion')
  if (panel) {
    const empty = panel.querySelector('[data-no-opinion]')
    if (empty) empty.remove()
    const block = element('div', 'opinion')
    block.dataset.version = event.versionNo
    const text = element('p', 'prewrap', event.opinion)
    text.dataset.opinionText = ''
    block.append(element('p', 'small', 'v' + event.versionNo + ' · ' + event.author), text)
    if (event.recommendation) block.append(element('p', 'prewrap', event.recommendation))
    panel.insertBefore(block, panel.firstChild)
  }
  const form = document.getElementById('opinion-form')
  if (form) form.remove()
  tell(fill(messages.answered, { id: event.id }), null)
})

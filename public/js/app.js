// Shared page behaviour: forms that submit on change or ask before submitting, and the exam news pushed over
// socket.io (a status badge updated in place, a list refreshed, a toast).
import { fill, messagesBlock } from './lib/i18n.js'
import { on, showToast } from './lib/live.js'

for (const element of document.querySelectorAll('[data-autosubmit]')) {
  element.addEventListener('change', () => element.form.submit())
}
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault()
  })
}

const messages = messagesBlock('live-messages').exam || {}
let refreshTimer = null

// Lists marked data-live-refresh reload (debounced) when an exam they could show changes.
on('exam:changed', (event) => {
  document.dispatchEvent(new CustomEvent('exam:changed', { detail: event }))
  // On the exam's own page: update its status badge instead of announcing it.
  const badge = document.getElementById('exam-status')
  if (badge && Number(badge.dataset.examId) === event.id) {
    const labels = JSON.parse(badge.dataset.labels)
    badge.textContent = labels[event.status] || event.status
    badge.className = 'badge ' + event.status
    return
  }
  const live = document.querySelector('[data-live-refresh]')
  if (live && !document.querySelector('[data-uploading="true"]')) {
    clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => window.location.reload(), 1500)
  }
  const template = event.change === 'images_received' ? messages.imagesReceived : messages.changed
  showToast(
    fill(template, { accession: event.accessionNumber, change: event.change.replace(/_/g, ' ') })
  )
})

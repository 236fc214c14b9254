// The reading queue refreshes itself when exams arrive or change (socket.io 'exam:changed' / 'queue:changed'):
// it asks the server for its rows again (same filters) and swaps them in. Time left ticks every 30 s from the
// server's clock, so the colours follow R 7.1.1 limits without reloading.
import { fill, messagesOf } from './lib/i18n.js'
import { on } from './lib/live.js'

const queueRoot = document.getElementById('reading-queue')
if (queueRoot) start(queueRoot)

function start(root) {
  var t = messagesOf(root)
  var offset = Number(root.dataset.serverNow) - Date.now()
  var refreshTimer = null

  function span(minutes) {
    var abs = Math.abs(minutes)
    var days = Math.floor(abs / 1440)
    var hours = Math.floor((abs % 1440) / 60)
    var mins = abs % 60
    var parts = []
    if (days) parts.push(fill(t.days, { n: days }))
    if (hours) parts.push(fill(t.hours, { n: hours }))
    if (!days && (mins || !hours)) parts.push(fill(t.minutes, { n: mins }))
    return parts.slice(0, 2).join(' ')
  }

  function tick() {
    var now = Date.now() + offset
    root.querySelectorAll('td.due').forEach(function (cell) {
      var due = Number(cell.dataset.due)
      var limit = Number(cell.dataset.limit)
      var overdue = due <= now
      var minutes = overdue
        ? -Math.max(1, Math.ceil((now - due) / 60000))
        : Math.floor((due - now) / 60000)
      var state = overdue ? 'overdue' : minutes <= Math.max(5, limit / 4) ? 'soon' : 'ok'
      var label = cell.querySelector('.left')
      label.textContent = fill(overdue ? t.overdue : t.left, { time: span(minutes) })
      label.className = 'left ' + state
      cell.parentElement.className = 'queue-row ' + state
    })
  }

  function refresh() {
    fetch(window.location.href, { headers: { 'X-Queue-Partial': '1' }, credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.text() : null
      })
      .then(function (html) {
        if (html === null) return
        root.innerHTML = html
        tick()
        root.dispatchEvent(new CustomEvent('queue:refreshed', { bubbles: true }))
      })
  }

  function changed() {
    clearTimeout(refreshTimer)
    refreshTimer = setTimeout(refresh, 800)
  }

  on('exam:changed', changed)
  on('queue:changed', changed)
  setInterval(tick, 30000)
}

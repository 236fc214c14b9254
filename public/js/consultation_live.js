// Live consultation news: a consultant is told the moment a consultation is handed to them (or escalated to
// them); on a consultation's page the thread and the opinion update as they are written. What is stored is the
// record (the page shows it on load); this is the nudge.
;(function (script) {
  var socket = window.imagingSocket
  if (!socket || !window.showToast) return
  var messages = JSON.parse((script && script.dataset.messages) || '{}')
  var toast = document.getElementById('live-toast')
  var thread = document.getElementById('consultation-thread')
  var current = thread ? Number(thread.dataset.consultation) : null
  var seen = {}

  function tell(text, url) {
    window.showToast(text)
    if (!toast) return
    toast.dataset.href = url || ''
    toast.style.cursor = url ? 'pointer' : ''
  }
  function fill(template, id) {
    return String(template || '').replace('{id}', id)
  }
  function announce(kind, event) {
    var key = kind + ':' + event.id + ':' + (event.reason || '')
    if (seen[key]) return
    seen[key] = true
    tell(fill(messages[kind], event.id), event.url)
    var list = document.getElementById('consultation-list')
    if (list) list.dataset.fresh = String(event.id)
    document.dispatchEvent(new CustomEvent('consultation:' + kind, { detail: event }))
  }

  socket.on('consultation:assigned', function (event) {
    announce(
      event.reason === 'escalated' || event.reason === 'head_of_department'
        ? 'escalated'
        : 'assigned',
      event
    )
  })

  // C 9.4: a specialty centre is told of each exam shared with it, and of its report.
  socket.on('share:new', function (event) {
    tell(String(messages.shareNew || '').replace('{accession}', event.accessionNumber), event.url)
  })
  socket.on('share:report', function (event) {
    tell(messages.shareReport, event.url)
  })

  // C 4.2.3: the upper-level hospital is told once an escalated study is verified in its Orthanc.
  socket.on('consultation:upper_escalated', function (event) {
    announce('upperEscalated', event)
  })

  socket.on('consultation:message', function (event) {
    if (current !== event.consultationId) {
      tell(
        fill(messages.message, event.consultationId),
        '/consultations/' + event.consultationId + '#thread'
      )
      return
    }
    if (thread.querySelector('[data-message="' + event.id + '"]')) return
    var item = document.createElement('li')
    item.className = event.kind
    item.dataset.message = event.id
    var at = document.createElement('span')
    at.className = 'small muted'
    at.textContent = event.at + ' '
    var who = document.createElement('strong')
    who.textContent = (event.author || '') + ': '
    var body = document.createElement('span')
    body.className = 'prewrap'
    body.textContent = event.body
    item.appendChild(at)
    item.appendChild(who)
    item.appendChild(body)
    thread.appendChild(item)
  })

  socket.on('consultation:answered', function (event) {
    if (current !== event.id) {
      tell(fill(messages.answered, event.id), event.url)
      return
    }
    var panel = document.getElementById('consultation-opinion')
    if (panel) {
      var empty = panel.querySelector('[data-no-opinion]')
      if (empty) empty.remove()
      var block = document.createElement('div')
      block.className = 'opinion'
      block.dataset.version = event.versionNo
      var meta = document.createElement('p')
      meta.className = 'small'
      meta.textContent = 'v' + event.versionNo + ' · ' + event.author
      var text = document.createElement('p')
      text.className = 'prewrap'
      text.dataset.opinionText = ''
      text.textContent = event.opinion
      block.appendChild(meta)
      block.appendChild(text)
      if (event.recommendation) {
        var rec = document.createElement('p')
        rec.className = 'prewrap'
        rec.textContent = event.recommendation
        block.appendChild(rec)
      }
      panel.insertBefore(block, panel.firstChild)
    }
    var form = document.getElementById('opinion-form')
    if (form) form.remove()
    tell(fill(messages.answered, event.id), null)
  })
})(document.currentScript)

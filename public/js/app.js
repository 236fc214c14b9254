// Shared page behaviour: the language switch, and live updates over socket.io.
;(function () {
  document.querySelectorAll('[data-autosubmit]').forEach(function (el) {
    el.addEventListener('change', function () {
      el.form.submit()
    })
  })
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault()
    })
  })

  var ticket = document.body.dataset.socketTicket
  if (!ticket || typeof window.io !== 'function') return
  var socket = window.io({ auth: { ticket: ticket }, transports: ['websocket', 'polling'] })
  window.imagingSocket = socket

  var toast = document.getElementById('live-toast')
  var toastTimer = null
  window.showToast = function (text) {
    if (!toast) return
    toast.textContent = text
    toast.hidden = false
    clearTimeout(toastTimer)
    toastTimer = setTimeout(function () {
      toast.hidden = true
    }, 6000)
  }

  // Lists marked data-live-refresh reload (debounced) when an exam they could show changes.
  var refreshTimer = null
  socket.on('exam:changed', function (event) {
    document.dispatchEvent(new CustomEvent('exam:changed', { detail: event }))
    // On the exam's own page: update its status badge instead of announcing it.
    var badge = document.getElementById('exam-status')
    if (badge && Number(badge.dataset.examId) === event.id) {
      var labels = JSON.parse(badge.dataset.labels)
      badge.textContent = labels[event.status] || event.status
      badge.className = 'badge ' + event.status
      return
    }
    var live = document.querySelector('[data-live-refresh]')
    if (live && !document.querySelector('[data-uploading="true"]')) {
      clearTimeout(refreshTimer)
      refreshTimer = setTimeout(function () {
        window.location.reload()
      }, 1500)
    }
    var message =
      document.body.dataset.locale === 'en'
        ? 'Exam ' + event.accessionNumber + ': ' + event.change.replace(/_/g, ' ')
        : '检查 ' +
          event.accessionNumber +
          '：' +
          (event.change === 'images_received' ? '影像已到达' : '状态已更新')
    window.showToast(message)
  })
})()

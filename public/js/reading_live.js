// Live reading news: a clinic is told the moment one of its reports is signed; a doctor when a report is
// returned to them or an exam is handed to them. The stored report list is the record; this is the nudge.
;(function (script) {
  var socket = window.imagingSocket
  if (!socket || !window.showToast) return
  var messages = JSON.parse((script && script.dataset.messages) || '{}')
  var toast = document.getElementById('live-toast')

  function tell(text, url) {
    window.showToast(text)
    if (!toast) return
    toast.dataset.href = url || ''
    toast.style.cursor = url ? 'pointer' : ''
  }
  if (toast) {
    toast.addEventListener('click', function () {
      if (toast.dataset.href) window.location.href = toast.dataset.href
    })
  }

  socket.on('report:signed', function (event) {
    tell(
      (messages.signed || 'Report signed: {accession}').replace(
        '{accession}',
        event.accessionNumber
      ),
      event.url
    )
    document.dispatchEvent(new CustomEvent('report:signed', { detail: event }))
  })
  socket.on('reading:returned', function (event) {
    tell(
      (messages.returned || 'Report returned: {accession}').replace(
        '{accession}',
        event.accessionNumber
      ),
      '/reading/exams/' + event.id
    )
  })
  socket.on('reading:assigned', function (event) {
    tell(
      (messages.assigned || 'Exam assigned to you: {accession}').replace(
        '{accession}',
        event.accessionNumber
      ),
      '/reading/exams/' + event.id
    )
  })
})(document.currentScript)

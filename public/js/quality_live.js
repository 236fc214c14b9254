// Q 7.1: a failed QC score is news for the person scored and their clinic (socket event quality:failed).
;(function (script) {
  var messages = JSON.parse((script && script.dataset.messages) || '{}')
  var items = JSON.parse((script && script.dataset.items) || '{}')
  document.addEventListener('DOMContentLoaded', function () {
    var socket = window.imagingSocket
    if (!socket || !window.showToast) return
    socket.on('quality:failed', function (event) {
      var text = (messages.failed || 'QC failed: {accession} {item} {score}')
        .replace('{accession}', event.accessionNumber)
        .replace('{item}', items[event.item] || event.item)
        .replace('{score}', String(event.score))
      window.showToast(text)
    })
  })
})(document.currentScript)

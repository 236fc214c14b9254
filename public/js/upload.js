// Uploads the files or folder a clinic user picks in batches (several files per multipart request,
// a few requests at a time: the server checks the exam once per batch, skips what Orthanc already
// holds and links the batch at once), with a progress bar per file and overall, then a summary of
// what was stored and refused. A batch that failed is sent again; what it stored is not stored twice.
import { fill, messagesOf } from './lib/i18n.js'

const uploader = document.getElementById('uploader')
if (uploader) start(uploader)

function start(root) {
  var url = root.dataset.uploadUrl
  var csrf = root.dataset.csrf
  var maxBytes = Number(root.dataset.maxBytes)
  var t = messagesOf(root)
  var CONCURRENCY = 3
  // At most this many files or bytes per request; fewer while the queue is short, so every request slot is used.
  var BATCH_FILES = 16
  var BATCH_BYTES = 32 * 1024 * 1024
  // The store unavailable (503) or the network gone: the file is tried again by itself, later and later.
  var RETRY_DELAYS_MS = [5000, 15000, 30000, 60000]

  var list = root.querySelector('.upload-list')
  var overallBar = root.querySelector('.overall .progress')
  var overallText = root.querySelector('.overall .text')
  var summaryBox = root.querySelector('.upload-summary')
  var retryButton = root.querySelector('[data-retry]')
  var dropzone = root.querySelector('.dropzone')
  var jobs = []
  var running = 0
  var queue = []

  function addFiles(fileList) {
    var added = []
    for (var file of fileList) {
      var job = {
        file: file,
        name: file.webkitRelativePath || file.name,
        loaded: 0,
        state: 'waiting',
        result: null,
      }
      var li = document.createElement('li')
      li.innerHTML =
        '<span class="name"></span><span class="progress"><span></span></span><span class="status muted"></span>'
      li.querySelector('.name').textContent = job.name
      li.querySelector('.status').textContent = t.waiting
      job.row = li
      list.appendChild(li)
      jobs.push(job)
      added.push(job)
    }
    if (added.length) {
      root.dataset.uploading = 'true'
      summaryBox.hidden = true
      queue = queue.concat(added)
      pump()
    }
  }

  function setRow(job, percent, text, cls) {
    var bar = job.row.querySelector('.progress')
    bar.firstElementChild.style.width = percent + '%'
    bar.className = 'progress' + (cls ? ' ' + cls : '')
    job.row.querySelector('.status').textContent = text
  }

  function updateOverall() {
    var total = 0
    var loaded = 0
    var done = 0
    jobs.forEach(function (job) {
      total += job.file.size
      loaded += job.state === 'done' || job.state === 'failed' ? job.file.size : job.loaded
      if (job.state === 'done' || job.state === 'failed') done++
    })
    var percent = total ? Math.round((loaded / total) * 100) : 0
    overallBar.firstElementChild.style.width = percent + '%'
    overallBar.setAttribute('aria-valuenow', String(percent))
    overallText.textContent = fill(t.overall, { done: done, total: jobs.length, percent: percent })
  }

  function nextBatch() {
    var size = Math.max(1, Math.min(BATCH_FILES, Math.ceil(queue.length / CONCURRENCY)))
    var batch = [queue.shift()]
    var bytes = batch[0].file.size
    while (
      batch.length < size &&
      queue.length &&
      bytes + queue[0].file.size <= BATCH_BYTES &&
      queue[0].file.size <= maxBytes
    ) {
      bytes += queue[0].file.size
      batch.push(queue.shift())
    }
    return batch
  }

  function pump() {
    while (running < CONCURRENCY && queue.length) {
      var job = queue[0]
      if (job.file.size > maxBytes) {
        queue.shift()
        running++
        complete(job, { status: 'rejected', message: t.tooLarge }, false)
        continue
      }
      send(nextBatch())
    }
    var waiting = jobs.some(function (queued) {
      return queued.waiting
    })
    if (running === 0 && queue.length === 0 && !waiting) finish()
  }

  function send(batch) {
    running++
    var form = new FormData()
    var offsets = []
    var total = 0
    batch.forEach(function (job) {
      job.state = 'sending'
      job.loaded = 0
      offsets.push(total)
      total += job.file.size
      form.append('files', job.file, job.name)
    })
    var xhr = new XMLHttpRequest()
    // The technologist picked from the clinic's roster goes in the query: checked before any file is read.
    var picked = root.querySelector('[name=technologistId]')
    xhr.open('POST', picked && picked.value ? url + '?technologistId=' + picked.value : url)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('X-CSRF-TOKEN', csrf)
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) return
      // The body's bytes go out file after file: each file's share of what was sent.
      var sent = (event.loaded / event.total) * total
      batch.forEach(function (job, i) {
        job.loaded = Math.max(0, Math.min(job.file.size, sent - offsets[i]))
        setRow(job, job.file.size ? Math.round((job.loaded / job.file.size) * 100) : 100, t.sending)
      })
      updateOverall()
    }
    xhr.onload = function () {
      var body = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        // Not JSON (a proxy's error page): handled below as a server error.
      }
      if (body && body.exam) showArrival(body.exam, body.warnings || [])
      running--
      if (body && body.files) {
        // The answer lists the files in the order they were sent.
        batch.forEach(function (job, i) {
          var result = body.files[i]
          if (result) settle(job, result, result.reason === 'store_failed' || xhr.status === 503)
          else
            settle(
              job,
              { status: 'failed', message: t.serverError + ' (' + xhr.status + ')' },
              true
            )
        })
      } else {
        var message =
          body && body.errors && body.errors[0]
            ? body.errors[0].message
            : t.serverError + ' (' + xhr.status + ')'
        batch.forEach(function (job) {
          settle(job, { status: 'failed', message: message }, xhr.status >= 500 || xhr.status === 0)
        })
      }
      updateOverall()
      pump()
    }
    xhr.onerror =
      xhr.onabort =
      xhr.ontimeout =
        function () {
          running--
          batch.forEach(function (job) {
            settle(job, { status: 'failed', message: t.network }, true)
          })
          updateOverall()
          pump()
        }
    xhr.send(form)
  }

  function complete(job, result, retryable) {
    running--
    settle(job, result, retryable)
    updateOverall()
    pump()
  }

  function settle(job, result, retryable) {
    job.result = result
    job.retryable = retryable
    job.state = result.status === 'stored' || result.status === 'already_stored' ? 'done' : 'failed'
    var cls = job.state === 'done' ? 'done' : 'failed'
    setRow(job, 100, result.message, cls)
    if (job.state === 'failed' && retryable) {
      job.retries = (job.retries || 0) + 1
      if (job.retries <= RETRY_DELAYS_MS.length) {
        // Counted as waiting, not finished: the summary comes when the retries are done.
        job.state = 'retry_wait'
        job.waiting = true
        setTimeout(
          function () {
            job.waiting = false
            job.state = 'waiting'
            setRow(job, 0, t.waiting)
            queue.push(job)
            pump()
          },
          RETRY_DELAYS_MS[job.retries - 1]
        )
      }
    }
  }

  /** The exam's arrival line, time and date warnings, right after each file (no reload needed). */
  function showArrival(exam, warnings) {
    var at = document.getElementById('images-received-at')
    if (at) at.textContent = exam.imagesReceivedAt || '—'
    var lines = document.getElementById('study-lines')
    if (lines && exam.studyLines) {
      lines.innerHTML = ''
      exam.studyLines.forEach(function (line) {
        var span = document.createElement('span')
        span.textContent = line
        lines.appendChild(span)
        lines.appendChild(document.createElement('br'))
      })
      lines.hidden = exam.studyLines.length === 0
    }
    var status = document.getElementById('exam-status')
    if (status && exam.statusLabel) {
      status.textContent = exam.statusLabel
      status.className = 'badge ' + exam.status
    }
    var box = document.getElementById('date-warnings')
    var all = (exam.warnings || []).concat(
      warnings.map(function (w) {
        return w.message
      })
    )
    if (box && all.length) {
      var warningList = box.querySelector('ul')
      warningList.innerHTML = ''
      all
        .filter(function (w, i) {
          return all.indexOf(w) === i
        })
        .forEach(function (w) {
          var li = document.createElement('li')
          li.textContent = w
          warningList.appendChild(li)
        })
      box.hidden = false
    }
  }

  function finish() {
    root.dataset.uploading = 'false'
    var stored = 0
    var already = 0
    var rejected = 0
    var failed = 0
    var reasons = {}
    jobs.forEach(function (job) {
      if (!job.result) return
      if (job.result.status === 'stored') stored++
      else if (job.result.status === 'already_stored') already++
      else if (job.retryable) failed++
      else {
        rejected++
        reasons[job.result.message] = (reasons[job.result.message] || 0) + 1
      }
    })
    var html =
      '<strong>' +
      fill(t.summary, { stored: stored, already: already, rejected: rejected, failed: failed }) +
      '</strong>'
    var keys = Object.keys(reasons)
    if (keys.length) {
      html +=
        '<ul>' +
        keys
          .map(function () {
            return '<li></li>'
          })
          .join('') +
        '</ul>'
    }
    summaryBox.innerHTML = html
    var items = summaryBox.querySelectorAll('li')
    keys.forEach(function (k, i) {
      items[i].textContent = k + ' × ' + reasons[k]
    })
    summaryBox.hidden = false
    retryButton.hidden = failed === 0
    document.dispatchEvent(new CustomEvent('images:uploaded', { detail: { stored: stored } }))
  }

  retryButton.addEventListener('click', function () {
    var again = jobs.filter(function (job) {
      return job.state === 'failed' && job.retryable
    })
    again.forEach(function (job) {
      job.state = 'waiting'
      setRow(job, 0, t.waiting)
    })
    retryButton.hidden = true
    root.dataset.uploading = 'true'
    queue = queue.concat(again)
    pump()
  })

  root.querySelectorAll('input[type=file]').forEach(function (input) {
    input.addEventListener('change', function () {
      addFiles(input.files)
      input.value = ''
    })
  })
  dropzone.addEventListener('dragover', function (event) {
    event.preventDefault()
    dropzone.classList.add('over')
  })
  dropzone.addEventListener('dragleave', function () {
    dropzone.classList.remove('over')
  })
  dropzone.addEventListener('drop', function (event) {
    event.preventDefault()
    dropzone.classList.remove('over')
    addFiles(event.dataTransfer.files)
  })
}

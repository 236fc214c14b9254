// The report editor: drafts save themselves as the doctor types (debounced) and when the tab is hidden or
// closed (fetch keepalive / sendBeacon), so a closed tab loses nothing. Templates, phrase templates, the MRI
// technique helper (B: "方位：序列，序列；方位：…") and the prior-exam comparison prompt (B; Q 4.2.5e).
import { fill, messagesOf } from './lib/i18n.js'
import { initImageViewer } from './viewer.js'

// B: the technique line of an MRI report is written "方位：序列，序列；方位：…" in the report's own punctuation
// (report text, not interface text: it is the same whatever the reader's language).
const MRI = {
  planeEnd: '：',
  sequenceSeparator: '，',
  planeSeparator: '；',
  typedSeparators: /[,，、\s]+/,
}

document.querySelectorAll('[data-open-prior]').forEach(function (button) {
  button.addEventListener('click', function () {
    var root = document.getElementById(button.dataset.openPrior)
    if (!root) return
    root.hidden = !root.hidden
    if (!root.hidden) initImageViewer(root)
  })
})

const editorForm = document.getElementById('report-editor')
if (editorForm) startEditor(editorForm)

function startEditor(form) {
  var t = messagesOf(form)
  var status = form.querySelector('[data-autosave-status]')
  var csrf = (form.querySelector('input[name=_csrf]') || {}).value || ''
  var fields = [
    'technique',
    'findings',
    'impression',
    'comparison',
    'priorExamId',
    'noComparisonReason',
    'templateId',
    'revision',
  ]
  var timer = null
  var dirty = false
  var submitting = false
  var inFlight = false

  function value(name) {
    var el = form.elements[name]
    return el ? el.value : ''
  }

  function payload() {
    var data = {}
    fields.forEach(function (name) {
      if (form.elements[name]) data[name] = value(name)
    })
    return data
  }

  function say(text) {
    if (status) status.textContent = text
  }

  function clock(iso) {
    var d = new Date(iso)
    return [d.getHours(), d.getMinutes(), d.getSeconds()]
      .map(function (n) {
        return String(n).padStart(2, '0')
      })
      .join(':')
  }

  function save() {
    clearTimeout(timer)
    if (!dirty || submitting || inFlight) return
    dirty = false
    inFlight = true
    say(t.saving)
    fetch(form.dataset.draftUrl, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: true,
      headers: {
        'Content-Type': 'application/json',
        'Accept': 'application/json',
        'X-CSRF-TOKEN': csrf,
      },
      body: JSON.stringify(payload()),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {}
          })
          .then(function (body) {
            if (!response.ok) {
              dirty = true
              say(t.failed + (body.errors && body.errors[0] ? ' ' + body.errors[0].message : ''))
              return
            }
            say(fill(t.saved, { time: clock(body.savedAt) }) + (body.stale ? ' ' + t.stale : ''))
            form.dataset.saved = body.savedAt
          })
      })
      .catch(function () {
        dirty = true
        say(t.failed)
      })
      .finally(function () {
        inFlight = false
        if (dirty && !submitting) timer = setTimeout(save, 3000)
      })
  }

  function changed() {
    dirty = true
    clearTimeout(timer)
    timer = setTimeout(save, 1200)
  }

  /** The tab is going away: send what is unsaved in a request the browser finishes on its own. */
  function flush() {
    if (!dirty || submitting) return
    dirty = false
    var body = new URLSearchParams(payload())
    body.set('_csrf', csrf)
    var sent = navigator.sendBeacon && navigator.sendBeacon(form.dataset.draftUrl, body)
    if (!sent) {
      fetch(form.dataset.draftUrl, {
        method: 'POST',
        credentials: 'same-origin',
        keepalive: true,
        body: body,
      })
    }
  }

  form.addEventListener('input', function (event) {
    if (event.target.name === 'comment') return
    changed()
  })
  form.addEventListener('change', function (event) {
    if (event.target.name === 'comment') return
    changed()
  })
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') flush()
  })
  window.addEventListener('pagehide', flush)
  window.addEventListener('beforeunload', flush)

  form.addEventListener('submit', function (event) {
    var action = event.submitter ? event.submitter.dataset.action : ''
    if (action === 'return' && !value('comment').trim()) {
      event.preventDefault()
      form.elements.comment.focus()
      return
    }
    submitting = true
    clearTimeout(timer)
  })

  /* Templates: chosen by item and diagnosis (C 8.4.2). */
  var picker = form.querySelector('[data-template-select]')
  var apply = form.querySelector('[data-apply-template]')
  if (picker && apply) {
    apply.addEventListener('click', function () {
      var option = picker.selectedOptions[0]
      if (!option || !option.value) return
      var filled = ['technique', 'findings', 'impression'].some(function (name) {
        return value(name).trim()
      })
      if (filled && !window.confirm(t.replace)) return
      ;['technique', 'findings', 'impression'].forEach(function (name) {
        var text = option.dataset[name]
        if (text && form.elements[name]) form.elements[name].value = text
      })
      form.elements.templateId.value = option.value
      changed()
    })
  }

  /* Phrase templates: inserted at the cursor of their section. */
  form.querySelectorAll('[data-phrase-for]').forEach(function (button) {
    button.addEventListener('click', function () {
      var area = form.elements[button.dataset.phraseFor]
      if (!area) return
      var text = button.dataset.text
      var start = area.selectionStart ?? area.value.length
      var end = area.selectionEnd ?? area.value.length
      area.value = area.value.slice(0, start) + text + area.value.slice(end)
      area.focus()
      area.selectionStart = area.selectionEnd = start + text.length
      changed()
    })
  })

  /* MRI technique: one plane at a time, in the standard's punctuation. */
  var mri = form.querySelector('[data-mri-helper]')
  if (mri) {
    mri.querySelector('[data-mri-add]').addEventListener('click', function () {
      var plane = mri.querySelector('[data-mri-plane]').value
      var sequences = mri
        .querySelector('[data-mri-sequences]')
        .value.split(MRI.typedSeparators)
        .filter(Boolean)
        .join(MRI.sequenceSeparator)
      if (!sequences) return
      var area = form.elements.technique
      var current = area.value.trim().replace(/[；;]+$/, '')
      area.value = (current ? current + MRI.planeSeparator : '') + plane + MRI.planeEnd + sequences
      mri.querySelector('[data-mri-sequences]').value = ''
      changed()
    })
  }

  /* Comparison with a prior: start the sentence with the prior's date. */
  var priorSelect = form.querySelector('[data-prior-select]')
  var comparison = form.elements.comparison
  if (priorSelect && comparison) {
    comparison.addEventListener('focus', function () {
      if (comparison.value.trim()) return
      var option = priorSelect.selectedOptions[0]
      if (!option) return
      comparison.value = fill(t.comparisonPrefix, {
        date: option.dataset.date,
        name: option.dataset.name,
      })
      changed()
    })
  }
}

// Critical-value alerts (危急值): a blocking alert with sound in every open tab until it is acknowledged.
// The server pushes 'critical:alert' to the person's own room and again on every (re)connection;
// each tab confirms receipt with the alert id ('critical:received'); repeats are harmless (kept by id).
import { fill, messagesOf } from './lib/i18n.js'
import { emit, enabled, on, showToast } from './lib/live.js'

const criticalOverlay = document.getElementById('critical-alerts')
if (criticalOverlay && enabled) startAlerts(criticalOverlay)

function startAlerts(overlay) {
  var messages = messagesOf(overlay)
  var timeZone = overlay.dataset.timezone || undefined
  var list = overlay.querySelector('.critical-list')
  var countLabel = overlay.querySelector('.critical-count')
  var minimiseButton = overlay.querySelector('[data-critical-minimise]')
  var soundNotice = overlay.querySelector('.critical-sound')
  var banner = document.getElementById('critical-banner')
  var alerts = {} // id -> payload
  var minimised = false

  function time(iso) {
    if (!iso) return '—'
    try {
      // The one format of every page, yyyy-MM-dd HH:mm, in the hospital's time zone (not the browser's locale style).
      var parts = {}
      new Intl.DateTimeFormat('en-CA', {
        timeZone: timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(new Date(iso))
        .forEach(function (part) {
          parts[part.type] = part.value
        })
      return (
        parts.year + '-' + parts.month + '-' + parts.day + ' ' + parts.hour + ':' + parts.minute
      )
    } catch {
      return iso
    }
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag)
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key]
      else if (key === 'className') node.className = attrs[key]
      else node.setAttribute(key, attrs[key])
    })
    ;(children || []).forEach(function (child) {
      if (child) node.appendChild(child)
    })
    return node
  }
  function csrfToken() {
    var input = document.querySelector('input[name="_csrf"]')
    return input ? input.value : ''
  }
  function ids() {
    return Object.keys(alerts)
  }

  /* ---------------------------------------------------------------- sound */
  // Generated with WebAudio (no audio files): two tones, repeated every three seconds while an alert is open.
  var audio = null
  var soundTimer = null
  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext
    if (!Context) return null
    if (!audio) audio = new Context()
    return audio
  }
  function beep() {
    var ctx = audioContext()
    if (!ctx) return
    if (ctx.state === 'suspended') ctx.resume().catch(function () {})
    var begin = ctx.currentTime + 0.02
    ;[880, 660, 880].forEach(function (frequency, index) {
      var oscillator = ctx.createOscillator()
      var gain = ctx.createGain()
      var at = begin + index * 0.25
      oscillator.type = 'square'
      oscillator.frequency.value = frequency
      gain.gain.setValueAtTime(0.0001, at)
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2)
      oscillator.connect(gain)
      gain.connect(ctx.destination)
      oscillator.start(at)
      oscillator.stop(at + 0.22)
    })
    var playing = ctx.state === 'running'
    document.body.dataset.criticalSound = playing ? 'playing' : 'blocked'
    soundNotice.hidden = playing
  }
  function startSound() {
    if (soundTimer) return
    beep()
    soundTimer = setInterval(beep, 3000)
  }
  function stopSound() {
    clearInterval(soundTimer)
    soundTimer = null
    document.body.dataset.criticalSound = 'off'
    soundNotice.hidden = true
  }
  // Browsers start audio only after a gesture on the page: the first click or key press unblocks it.
  function unlock() {
    var ctx = audioContext()
    if (ctx && ctx.state === 'suspended')
      ctx
        .resume()
        .then(function () {
          if (ids().length) beep()
        })
        .catch(function () {})
  }
  document.addEventListener('pointerdown', unlock, true)
  document.addEventListener('keydown', unlock, true)
  overlay.querySelector('[data-critical-sound]').addEventListener('click', unlock)

  /* ---------------------------------------------------------------- title */
  var originalTitle = document.title
  var titleTimer = null
  function flashTitle(flashing) {
    if (flashing && !titleTimer) {
      var flip = false
      titleTimer = setInterval(function () {
        flip = !flip
        document.title = flip
          ? fill(messages.flashTitle, { title: messages.title, page: originalTitle })
          : originalTitle
      }, 1000)
    } else if (!flashing && titleTimer) {
      clearInterval(titleTimer)
      titleTimer = null
      document.title = originalTitle
    }
  }

  /* ---------------------------------------------------------------- cards */
  function fact(label, value) {
    return el('div', { className: 'critical-fact' }, [
      el('span', { className: 'muted', text: label }),
      el('span', { text: value }),
    ])
  }

  function post(url, body, card, onDone) {
    var error = card.querySelector('.critical-error')
    var buttons = card.querySelectorAll('button[type=submit]')
    error.textContent = messages.sending
    error.hidden = false
    buttons.forEach(function (b) {
      b.disabled = true
    })
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        'Accept': 'application/json',
        'X-CSRF-TOKEN': csrfToken(),
      },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {}
          })
          .then(function (json) {
            return { status: response.status, json: json }
          })
      })
      .then(function (result) {
        buttons.forEach(function (b) {
          b.disabled = false
        })
        if (result.status >= 200 && result.status < 300) {
          error.hidden = true
          onDone(result.json)
          return
        }
        var reason = result.json && result.json.errors && result.json.errors[0]
        error.textContent = reason ? reason.message : messages.network
        // Someone else already acknowledged it: the alert is done here too.
        if (reason && (reason.code === 'already_acknowledged' || reason.code === 'not_open')) {
          setTimeout(function () {
            close(card.dataset.id)
          }, 2500)
        }
      })
      .catch(function () {
        buttons.forEach(function (b) {
          b.disabled = false
        })
        error.textContent = messages.network
      })
  }

  function acknowledgeForm(alert, card) {
    var textarea = el('textarea', {
      'name': 'readBack',
      'rows': '2',
      'required': 'required',
      'maxlength': '2000',
      'aria-label': messages.readBack,
    })
    var form = el('form', { className: 'critical-ack' }, [
      el('label', { className: 'field' }, [
        el('span', { className: 'label', text: messages.readBack }),
        textarea,
        el('span', { className: 'hint', text: messages.readBackHint }),
      ]),
      el('button', { type: 'submit', className: 'btn danger', text: messages.acknowledge }),
    ])
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      post(
        '/critical-values/' + alert.id + '/acknowledge',
        { readBack: textarea.value },
        card,
        function () {
          close(alert.id)
        }
      )
    })
    return form
  }

  function callForm(alert, card) {
    var reached = el('input', {
      type: 'radio',
      name: 'outcome-' + alert.id,
      value: 'reached',
      checked: 'checked',
    })
    var notReached = el('input', {
      type: 'radio',
      name: 'outcome-' + alert.id,
      value: 'not_reached',
    })
    var contact = el('input', {
      'type': 'text',
      'maxlength': '64',
      'aria-label': messages.contactName,
    })
    var readBack = el('textarea', {
      'rows': '2',
      'maxlength': '2000',
      'aria-label': messages.callReadBack,
    })
    var note = el('input', { 'type': 'text', 'maxlength': '500', 'aria-label': messages.note })
    var form = el('form', { className: 'critical-call' }, [
      el('h4', { text: messages.callTitle }),
      alert.clinic.phone ? fact(messages.clinicPhone, alert.clinic.phone) : null,
      el('div', { className: 'row' }, [
        el('label', {}, [reached, document.createTextNode(' ' + messages.reached)]),
        el('label', {}, [notReached, document.createTextNode(' ' + messages.notReached)]),
      ]),
      el('label', { className: 'field' }, [
        el('span', { className: 'label', text: messages.contactName }),
        contact,
      ]),
      el('label', { className: 'field' }, [
        el('span', { className: 'label', text: messages.callReadBack }),
        readBack,
      ]),
      el('label', { className: 'field' }, [
        el('span', { className: 'label', text: messages.note }),
        note,
      ]),
      el('button', { type: 'submit', className: 'btn', text: messages.recordCall }),
    ])
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      var outcome = notReached.checked ? 'not_reached' : 'reached'
      post(
        '/critical-values/' + alert.id + '/calls',
        {
          outcome: outcome,
          contactName: contact.value,
          readBack: readBack.value,
          note: note.value,
        },
        card,
        function (result) {
          if (result.status === 'acknowledged') close(alert.id)
          else {
            var error = card.querySelector('.critical-error')
            error.hidden = false
            error.textContent = '✓'
          }
        }
      )
    })
    return form
  }

  function escalationText(alert) {
    if (alert.phoneRequired) return messages.phoneRequired
    if (alert.escalationLevel > 0) return messages.escalated
    return ''
  }

  function buildCard(alert) {
    var card = el('article', { 'className': 'critical-card', 'data-id': String(alert.id) })
    var patient =
      alert.patient.name +
      ' · ' +
      (messages.sex[alert.patient.sex] || alert.patient.sex) +
      (alert.patient.age === null ? '' : ' · ' + fill(messages.age, { age: alert.patient.age }))
    card.appendChild(el('p', { className: 'critical-escalation', text: escalationText(alert) }))
    card.appendChild(
      el('h3', {
        className: 'critical-finding',
        text:
          document.body.dataset.locale === 'en' && alert.findingEn
            ? alert.findingEn
            : alert.finding,
      })
    )
    card.appendChild(el('p', { className: 'critical-message', text: alert.message }))
    card.appendChild(
      el('div', { className: 'critical-facts' }, [
        fact(messages.patient, patient),
        fact(
          messages.exam,
          alert.accessionNumber +
            ' · ' +
            alert.modality +
            (alert.items.length ? ' · ' + alert.items.join(messages.listSeparator) : '')
        ),
        fact(
          messages.clinic,
          alert.clinic.name + (alert.department ? ' · ' + alert.department : '')
        ),
        fact(messages.requestingDoctor, alert.requestingDoctor),
        fact(messages.raisedBy, alert.raisedBy + ' · ' + time(alert.raisedAt)),
        fact(messages.due, time(alert.dueAt)),
      ])
    )
    if (alert.canAcknowledge) card.appendChild(acknowledgeForm(alert, card))
    if (alert.canRecordCall) card.appendChild(callForm(alert, card))
    card.appendChild(el('p', { className: 'critical-error field-error', hidden: 'hidden' }))
    card.appendChild(el('a', { href: alert.detailUrl, text: messages.detail }))
    card.querySelector('.critical-escalation').hidden = !escalationText(alert)
    return card
  }

  function render() {
    var open = ids()
    list.querySelectorAll('.critical-card').forEach(function (card) {
      if (!alerts[card.dataset.id]) card.remove()
    })
    open.forEach(function (id) {
      var alert = alerts[id]
      var card = list.querySelector('.critical-card[data-id="' + id + '"]')
      if (!card) {
        list.appendChild(buildCard(alert))
      } else {
        // A repeat or an escalation: update what changed, keep what is being typed.
        var notice = card.querySelector('.critical-escalation')
        notice.textContent = escalationText(alert)
        notice.hidden = !notice.textContent
        if (alert.canRecordCall && !card.querySelector('.critical-call'))
          card.insertBefore(callForm(alert, card), card.querySelector('.critical-error'))
      }
    })
    countLabel.textContent = open.length > 1 ? fill(messages.count, { count: open.length }) : ''
    var canMinimise =
      open.length > 0 &&
      open.every(function (id) {
        return !alerts[id].canAcknowledge
      })
    minimiseButton.hidden = !canMinimise
    if (!canMinimise) minimised = false
    overlay.hidden = open.length === 0 || minimised
    banner.hidden = !(open.length > 0 && minimised)
    banner.textContent =
      messages.title +
      ' · ' +
      fill(messages.count, { count: open.length }) +
      ' · ' +
      messages.expand
    document.body.dataset.criticalOpen = String(open.length)
    if (open.length) {
      startSound()
      flashTitle(true)
    } else {
      stopSound()
      flashTitle(false)
    }
  }

  function close(id) {
    delete alerts[id]
    render()
  }

  minimiseButton.addEventListener('click', function () {
    minimised = true
    render()
  })
  banner.addEventListener('click', function () {
    minimised = false
    render()
  })

  /* ---------------------------------------------------------------- socket */
  on('critical:alert', function (alert) {
    if (!alert || !alert.id) return
    var isNew = !alerts[alert.id]
    var escalated = !isNew && alerts[alert.id].escalationLevel !== alert.escalationLevel
    alerts[alert.id] = alert
    // Receipt: every tab confirms, the server keeps the first.
    emit('critical:received', { id: alert.id })
    if (isNew || escalated) minimised = false
    render()
  })
  on('critical:closed', function (event) {
    if (event && alerts[event.id]) close(event.id)
  })
  on('critical:acknowledged', function (event) {
    showToast(
      fill(messages.acknowledgedToast, {
        finding:
          document.body.dataset.locale === 'en' && event.findingEn
            ? event.findingEn
            : event.finding,
        name: event.acknowledgedBy || '',
      })
    )
  })
  on('critical:confirmations', function (event) {
    if (event && event.count) showToast(fill(messages.confirmations, { count: event.count }))
  })
}

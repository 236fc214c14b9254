// The exam's images, rendered by Orthanc and proxied by the app after its checks:
// series thumbnails, then a frame viewer (scroll through the series, CT window presets, zoom).
// Several viewers may share a page (the reading page shows a prior exam beside the current one):
// each root is initialised once, lazy ones ([data-lazy]) when initImageViewer(root) is called (report_editor.js).
import { messagesOf } from './lib/i18n.js'

/** Starts the viewer in root (once; nothing when root is missing). */
export function initImageViewer(root) {
  if (!root || root.dataset.viewerReady) return
  root.dataset.viewerReady = 'true'
  var base = root.dataset.examUrl
  var t = messagesOf(root)
  var thumbs = root.querySelector('.thumbs')
  var viewer = root.querySelector('.viewer')
  var img = viewer.querySelector('img')
  var slider = viewer.querySelector('input[type=range]')
  var position = viewer.querySelector('.position')
  var presetButtons = viewer.querySelectorAll('[data-preset]')
  var series = []
  var current = null
  var index = 0
  var preset = ''
  var zoom = 1

  function frameUrl(instanceId) {
    return (
      base + '/instances/' + instanceId + '/frames/0/rendered' + (preset ? '?preset=' + preset : '')
    )
  }

  function show(i) {
    if (!current) return
    index = Math.max(0, Math.min(current.instances.length - 1, i))
    img.src = frameUrl(current.instances[index])
    slider.value = String(index)
    position.textContent = index + 1 + ' / ' + current.instances.length
    // Warm the next images so scrolling is smooth.
    for (var k = 1; k <= 3; k++) {
      var next = current.instances[index + k]
      if (next) new Image().src = frameUrl(next)
    }
  }

  function open(s, el) {
    current = s
    thumbs.querySelectorAll('.thumb').forEach(function (thumb) {
      thumb.classList.remove('active')
    })
    if (el) el.classList.add('active')
    slider.max = String(s.instances.length - 1)
    viewer.hidden = false
    var isCt = s.modality === 'CT'
    presetButtons.forEach(function (b) {
      b.hidden = !isCt
    })
    show(0)
  }

  function load() {
    fetch(base + '/series', {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then(function (r) {
        return r.json()
      })
      .then(function (body) {
        series = body.series || []
        thumbs.innerHTML = ''
        if (!series.length) {
          thumbs.textContent = t.noImages
          return
        }
        series.forEach(function (s) {
          var el = document.createElement('div')
          el.className = 'thumb'
          el.innerHTML = '<img alt=""><div class="cap"></div>'
          el.querySelector('img').src =
            base + '/instances/' + s.instances[Math.floor(s.instances.length / 2)] + '/preview'
          el.querySelector('.cap').textContent =
            (s.modality || '') +
            ' #' +
            (s.number === null ? '-' : s.number) +
            ' · ' +
            s.instances.length +
            t.images
          el.addEventListener('click', function () {
            open(s, el)
          })
          thumbs.appendChild(el)
        })
        if (!current) open(series[0], thumbs.firstElementChild)
      })
  }

  slider.addEventListener('input', function () {
    show(Number(slider.value))
  })
  viewer.addEventListener(
    'wheel',
    function (event) {
      event.preventDefault()
      show(index + (event.deltaY > 0 ? 1 : -1))
    },
    { passive: false }
  )
  document.addEventListener('keydown', function (event) {
    if (viewer.hidden || /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) return
    if (document.querySelectorAll('.viewer:not([hidden])').length > 1 && !root.matches(':hover'))
      return
    if (event.key === 'ArrowDown' || event.key === 'ArrowRight') show(index + 1)
    if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') show(index - 1)
  })
  presetButtons.forEach(function (button) {
    button.addEventListener('click', function () {
      preset = preset === button.dataset.preset ? '' : button.dataset.preset
      presetButtons.forEach(function (b) {
        b.classList.toggle('active', b.dataset.preset === preset)
      })
      show(index)
    })
  })
  viewer.querySelectorAll('[data-zoom]').forEach(function (button) {
    button.addEventListener('click', function () {
      var step = button.dataset.zoom
      zoom = step === 'reset' ? 1 : Math.max(0.5, Math.min(4, zoom * (step === 'in' ? 1.25 : 0.8)))
      img.style.transform = 'scale(' + zoom + ')'
    })
  })
  document.addEventListener('images:uploaded', load)
  load()
}

initImageViewer(document.getElementById('image-viewer'))
document.querySelectorAll('[data-image-viewer]:not([data-lazy])').forEach(initImageViewer)

// Live updates over socket.io and the toast that announces them: the one connection of the page, shared by
// the scripts that import it (no window globals). Pages of a logged-in user carry a socket ticket; without one,
// or when the socket.io client cannot be loaded, nothing connects and the handlers simply never run.
// The connection's state is on <body data-live="connected|disconnected|unavailable"> (tests wait for it).

const handlers = []
let socket = null

/** Runs handler for every `event` pushed by the server (registered now, attached once connected). */
export function on(event, handler) {
  handlers.push([event, handler])
  if (socket) socket.on(event, handler)
}

/** Sends an event to the server when connected (a receipt, for instance); nothing otherwise. */
export function emit(event, payload) {
  if (socket) socket.emit(event, payload)
}

/** Whether this page has a live connection to try (a logged-in user's page). */
export const enabled = Boolean(document.body.dataset.socketTicket)

const toastBox = document.getElementById('live-toast')
let toastTimer = null

/** Shows text in the page's toast for six seconds. */
export function showToast(text) {
  if (!enabled || !toastBox) return
  toastBox.textContent = text
  toastBox.hidden = false
  clearTimeout(toastTimer)
  toastTimer = setTimeout(() => {
    toastBox.hidden = true
  }, 6000)
}

/** Shows text in the toast; a click on it opens url (when there is one). */
export function tell(text, url) {
  showToast(text)
  if (!enabled || !toastBox) return
  toastBox.dataset.href = url || ''
  toastBox.style.cursor = url ? 'pointer' : ''
}

if (enabled) {
  if (toastBox) {
    toastBox.addEventListener('click', () => {
      if (toastBox.dataset.href) window.location.href = toastBox.dataset.href
    })
  }
  import('/socket.io/socket.io.esm.min.js')
    .then(({ io }) => {
      socket = io({
        auth: { ticket: document.body.dataset.socketTicket },
        transports: ['websocket', 'polling'],
      })
      socket.on('connect', () => {
        document.body.dataset.live = 'connected'
      })
      socket.on('disconnect', () => {
        document.body.dataset.live = 'disconnected'
      })
      for (const [event, handler] of handlers) socket.on(event, handler)
    })
    .catch(() => {
      document.body.dataset.live = 'unavailable'
    })
}

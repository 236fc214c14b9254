/*
| A socket.io client process for bench/two_node_push.ts: one process cannot
| drive 10,000 sockets and read its own receipt times faithfully on this
| machine, so the bench forks several of these. Each connects the sockets it is
| given (node A or B, one ticket per user, several tabs per user), answers every
| critical:alert with critical:received as the page does, records the wall
| time of every receipt (performance.timeOrigin + now, comparable with the
| parent's), and reports on request: receipts, its CPU time and its event-loop
| delay (a busy client delays its own receipt times, which would be counted
| as push latency). On 'reconnect' it drops every socket and connects each
| again after a random 0–spreadMs delay (a forced reconnection of every tab,
| spread as socket.io's own back-off spreads it); on 'settle' it waits until
| every socket is connected again (after a node was killed and restarted).
*/
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'

const epochNow = () => performance.timeOrigin + performance.now()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sockets: Socket[] = []
/** `${alertId}:${node}` → receipt times */
const receipts = new Map<string, number[]>()
const loop = monitorEventLoopDelay({ resolution: 10 })
let cpuAtStart = process.cpuUsage()
let wallAtStart = performance.now()

function connect(base: string, node: string, ticket: string) {
  const socket = io(base, {
    auth: { ticket },
    transports: ['websocket'],
    forceNew: true,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
  })
  const seen = new Set<number>()
  socket.on('critical:alert', (alert: { id: number }) => {
    const at = epochNow()
    socket.emit('critical:received', { id: alert.id })
    if (seen.has(alert.id)) return // a resend on reconnect: the first receipt counts
    seen.add(alert.id)
    const key = `${alert.id}:${node}`
    const list = receipts.get(key)
    if (list) list.push(at)
    else receipts.set(key, [at])
  })
  sockets.push(socket)
  return new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
}

process.on('message', async (message: any) => {
  if (message.type === 'connect') {
    const list = message.sockets as Array<{ base: string; node: string; ticket: string }>
    let failed = 0
    for (let i = 0; i < list.length; i += 100)
      await Promise.all(
        list.slice(i, i + 100).map((s) => connect(s.base, s.node, s.ticket).catch(() => failed++))
      )
    process.send!({ type: 'connected', count: sockets.filter((s) => s.connected).length, failed })
  } else if (message.type === 'reconnect') {
    const spreadMs = Number(message.spreadMs ?? 5000)
    const t0 = performance.now()
    await Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            socket.disconnect()
            const giveUp = setTimeout(resolve, 120_000)
            setTimeout(() => {
              socket.once('connect', () => {
                clearTimeout(giveUp)
                resolve()
              })
              socket.connect()
            }, Math.random() * spreadMs)
          })
      )
    )
    process.send!({
      type: 'reconnected',
      connected: sockets.filter((s) => s.connected).length,
      ms: Math.round(performance.now() - t0),
    })
  } else if (message.type === 'settle') {
    const t0 = performance.now()
    const deadline = Date.now() + Number(message.timeoutMs ?? 120_000)
    while (sockets.some((s) => !s.connected) && Date.now() < deadline) await sleep(200)
    process.send!({
      type: 'settled',
      connected: sockets.filter((s) => s.connected).length,
      ms: Math.round(performance.now() - t0),
    })
  } else if (message.type === 'measure') {
    receipts.clear()
    loop.reset()
    loop.enable()
    cpuAtStart = process.cpuUsage()
    wallAtStart = performance.now()
    process.send!({ type: 'measuring' })
  } else if (message.type === 'report') {
    loop.disable()
    const cpu = process.cpuUsage(cpuAtStart)
    const wall = performance.now() - wallAtStart
    process.send!({
      type: 'report',
      receipts: Object.fromEntries(receipts),
      connected: sockets.filter((s) => s.connected).length,
      cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100) / 100,
      loopDelayMs: {
        p99: Math.round(loop.percentile(99) / 1e4) / 100,
        max: Math.round(loop.max / 1e4) / 100,
      },
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    })
  } else if (message.type === 'close') {
    for (const s of sockets) s.close()
    process.exit(0)
  }
})
process.send!({ type: 'ready' })

import type { Server as HttpServer } from 'node:http'
import { Server, type Socket } from 'socket.io'
import encryption from '@adonisjs/core/services/encryption'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import User from '#models/user'
import type Exam from '#models/exam'
import type { DateTime } from 'luxon'
import { Clock } from '#app/platform/clock'
import { accountRefusal } from '#app/access/services/account_rules'
import { readsForAlliance } from '#app/access/visibility'
import { audit } from '#app/platform/audit/audit_log'
import env from '#start/env'
import { attachRedisAdapter, type RedisLink } from './redis_adapter.js'
import { storesRedis } from '#app/platform/redis/stores_client'
import {
  onAccountSessionsEnded,
  onSessionEnded,
  sessionCollection,
  sessionKey,
} from '#app/access/services/account_sessions'

/*
| Live pushes over socket.io, on the AdonisJS HTTP server. A socket proves who
| it is with a ticket the server put in the page of a logged-in user (signed
| and encrypted with APP_KEY), bound to that login session and the account's
| session epoch: a ticket of a session that ended (logout, timeout) or of an
| account whose sessions were ended (password, role, lock…) is refused, and the
| sockets already open are disconnected at once (their `session:` and `user:`
| rooms). It joins only the rooms of its own user, institution and role. Delivery here is at most once: anything that
| must not be lost is stored first and re-sent on connect by its capability.
|
| Several app nodes: with REDIS_URL set, attach() plugs in socket.io's Redis
| adapter (./redis_adapter.ts), so a push from any node reaches every node's sockets.
| Tickets are signed with APP_KEY, so a socket may connect to any node.
*/

const TICKET_PURPOSE = 'socket-ticket'

export const rooms = {
  user: (id: number) => `user:${id}`,
  institution: (id: number) => `institution:${id}`,
  /** lead-hospital radiologists and QC officers, who read for every clinic */
  readers: 'readers',

  /** the sockets of one login session (named by the session id's hash) */
  session: (sessionId: string) => `session:${sessionKey(sessionId)}`,
}

interface Ticket {
  userId: number
  sessionId: string
  epoch: number
}

/** A ticket for the sockets of this login session; it dies with the session (absolute timeout at most). */
export function socketTicket(user: User, sessionId: string) {
  const ticket: Ticket = { userId: user.id, sessionId, epoch: user.sessionEpoch ?? 0 }
  return encryption.encrypt(ticket, '12 hours', TICKET_PURPOSE)
}

async function sessionAlive(sessionId: string) {
  const sessions = await sessionCollection()
  return (await sessions.get(sessionId)) !== null
}

/** The rooms a user may be in; anything else asked for is refused. */
export function allowedRooms(user: User) {
  const allowed = [rooms.user(user.id), rooms.institution(user.institutionId)]
  if (readsForAlliance(user)) allowed.push(rooms.readers)
  return allowed
}

type ConnectionHandler = (socket: Socket, user: User) => void | Promise<void>

class Realtime {
  io: Server | null = null
  redis: RedisLink | null = null
  #connectionHandlers: ConnectionHandler[] = []

  /** Capabilities add their own events (e.g. critical values re-sent on connect). */
  onConnection(handler: ConnectionHandler) {
    this.#connectionHandlers.push(handler)
  }

  attach(httpServer: HttpServer) {
    if (this.io) return this.io
    const io = new Server(httpServer, { serveClient: true, transports: ['websocket', 'polling'] })
    const redisUrl = env.get('REDIS_URL')
    if (redisUrl)
      this.redis = attachRedisAdapter(
        io,
        storesRedis(),
        env.get('REDIS_PREFIX') || `imaging:${env.get('DB_DATABASE')}`
      )
    io.use(async (socket, next) => {
      try {
        const ticket = socket.handshake.auth?.ticket
        const payload =
          typeof ticket === 'string' ? encryption.decrypt<Ticket>(ticket, TICKET_PURPOSE) : null
        const user = payload?.sessionId
          ? await User.query().where('id', payload.userId).preload('institution').first()
          : null
        const clock = await app.container.make(Clock)
        const alive =
          !!user &&
          payload!.epoch === (user.sessionEpoch ?? 0) &&
          (await sessionAlive(payload!.sessionId))
        if (!user || !alive || accountRefusal(user, clock.now())) {
          await audit.record(
            {
              ip: socket.handshake.address,
              userAgent: socket.handshake.headers['user-agent'] ?? null,
              user: user ?? null,
            },
            { action: 'realtime.connect', outcome: 'denied' }
          )
          return next(new Error('unauthorised'))
        }
        socket.data.user = user
        socket.data.sessionId = payload!.sessionId
        next()
      } catch (error) {
        next(error as Error)
      }
    })
    io.on('connection', async (socket) => {
      const user = socket.data.user as User
      await socket.join([...allowedRooms(user), rooms.session(socket.data.sessionId)])
      socket.on('join', async (room: unknown, ack?: (reply: unknown) => void) => {
        const ok = typeof room === 'string' && allowedRooms(user).includes(room)
        try {
          if (ok) await socket.join(room as string)
          else {
            await audit.record(
              {
                user,
                ip: socket.handshake.address,
                userAgent: socket.handshake.headers['user-agent'] ?? null,
              },
              {
                action: 'realtime.join',
                outcome: 'denied',
                details: { room: String(room).slice(0, 64) },
              }
            )
          }
        } catch (error) {
          // An event handler's rejection would otherwise end the process (and every socket with it).
          logger.error({ err: error }, 'realtime join could not be handled')
        }
        if (typeof ack === 'function') ack({ ok })
      })
      for (const handler of this.#connectionHandlers) {
        try {
          await handler(socket, user)
        } catch (error) {
          logger.error({ err: error }, 'realtime connection handler failed')
        }
      }
    })
    this.io = io
    return io
  }

  /** Every socket of the account, on every node (the Redis adapter carries it across). */
  disconnectUser(userId: number) {
    this.io?.in(rooms.user(userId)).disconnectSockets(true)
  }

  disconnectSession(sessionId: string) {
    this.io?.in(rooms.session(sessionId)).disconnectSockets(true)
  }

  /**
   * The sockets of accounts that became unusable without anyone acting (an
   * account's end date passed): disconnected by the access capability's job.
   */
  async disconnectUnusable(now: DateTime) {
    if (!this.io) return 0
    const sockets = await this.io.fetchSockets()
    const ids = [
      ...new Set(
        sockets.map((s) => (s.data.user as User | undefined)?.id).filter((id): id is number => !!id)
      ),
    ]
    if (!ids.length) return 0
    const users = await User.query().whereIn('id', ids)
    const unusable = users.filter((u) => accountRefusal(u, now))
    for (const u of unusable) this.disconnectUser(u.id)
    return unusable.length
  }

  emit(roomNames: string | string[], event: string, payload: unknown) {
    if (!this.io) return
    this.io.to(roomNames).emit(event, payload)
  }

  toInstitution(institutionId: number, event: string, payload: unknown) {
    this.emit(rooms.institution(institutionId), event, payload)
  }

  /** An exam changed: its clinic and the readers' queues refresh. */
  examChanged(exam: Exam, change: string) {
    this.emit([rooms.institution(exam.institutionId), rooms.readers], 'exam:changed', {
      id: exam.id,
      accessionNumber: exam.accessionNumber,
      status: exam.status,
      change,
    })
  }

  /** The reading queue changed (claims, releases, reassignments): only the readers' queues refresh. */
  queueChanged(exam: Exam, change: string) {
    this.emit(rooms.readers, 'queue:changed', {
      id: exam.id,
      accessionNumber: exam.accessionNumber,
      status: exam.status,
      change,
    })
  }

  /**
   * A report was signed: the requesting clinic is told at once. The report is
   * stored before this is sent, and the clinic's report list shows it whether
   * or not this message arrives.
   */
  reportSigned(exam: Exam, versionNo: number) {
    this.emit(rooms.institution(exam.institutionId), 'report:signed', {
      id: exam.id,
      accessionNumber: exam.accessionNumber,
      versionNo,
      url: `/exams/${exam.id}/report`,
    })
  }

  async close() {
    if (!this.io) return
    const io = this.io
    this.io = null
    io.disconnectSockets(true)
    // io.close() would also close the HTTP server, which AdonisJS closes itself.
    io.engine.close()
    await this.redis?.close()
    this.redis = null
  }
}

export const realtime = new Realtime()

onAccountSessionsEnded((userId) => realtime.disconnectUser(userId))
onSessionEnded((sessionId) => realtime.disconnectSession(sessionId))

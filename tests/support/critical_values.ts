/*
| Helpers for critical-value tests: socket.io clients as a browser tab would
| connect (ticket from the logged-in page), waiting for pushed events, and an
| exam whose images have arrived (the point from which a critical value may be raised).
*/
import { io, type Socket } from 'socket.io-client'
import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import CriticalFinding from '#models/critical_finding'
import { ticketFor } from '#tests/support/sessions'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'
import { baseUrl } from '#tests/support/http'
import * as make from '#tests/support/fixtures'

export interface Tab {
  socket: Socket
  /** every event received, in order */
  received: Array<{ event: string; payload: any }>
  /** resolves with the first event (already received or coming) that matches */
  next(event: string, match?: (payload: any) => boolean, timeoutMs?: number): Promise<any>
  /** events of this name received so far */
  all(event: string): any[]
  close(): void
}

/** A browser tab of this user: a socket authenticated with the ticket its page would carry. */
export async function openTab(
  user: User,
  options: { ticket?: string; confirmReceipts?: boolean } = {}
): Promise<Tab> {
  const socket = io(baseUrl(), {
    auth: { ticket: options.ticket ?? (await ticketFor(user)) },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  })
  const received: Tab['received'] = []
  const waiters: Array<{ event: string; match: (p: any) => boolean; resolve: (p: any) => void }> =
    []
  socket.onAny((event, payload) => {
    received.push({ event, payload })
    // A tab confirms receipt of every alert it shows, as public/js/critical_alerts.js does.
    if (event === 'critical:alert' && options.confirmReceipts !== false)
      socket.emit('critical:received', { id: payload.id })
    for (const waiter of [...waiters]) {
      if (waiter.event === event && waiter.match(payload)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(payload)
      }
    }
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', (error) => reject(error))
  })
  return {
    socket,
    received,
    next(event, match = () => true, timeoutMs = 8000) {
      const already = received.find((r) => r.event === event && match(r.payload))
      if (already) return Promise.resolve(already.payload)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${event} within ${timeoutMs} ms`)),
          timeoutMs
        )
        waiters.push({ event, match, resolve: (p) => (clearTimeout(timer), resolve(p)) })
      })
    },
    all(event) {
      return received.filter((r) => r.event === event).map((r) => r.payload)
    },
    close() {
      socket.close()
    },
  }
}

/** Lets in-flight socket traffic settle (used before asserting that something did NOT arrive). */
export function settle(ms = 300) {
  return new Promise((r) => setTimeout(r, ms))
}

/** The maintained list (the test run starts from an empty database). */
export async function findings() {
  const list = await app.container.make(CriticalFindingList)
  await list.seedDefaults()
  return CriticalFinding.query().where('active', true).orderBy('seq')
}

export async function finding(code = 'ICH') {
  await findings()
  return CriticalFinding.findByOrFail('code', code)
}

/** An exam of this clinic user's clinic whose images have arrived. */
export async function examWithImages(clinicUser: User, modality: 'DR' | 'CT' | 'MR' = 'CT') {
  const made = await make.exam(clinicUser, modality, 'emergency')
  made.exam.status = 'images_received'
  made.exam.imagesReceivedAt = made.exam.registeredAt
  made.exam.instanceCount = 1
  await made.exam.save()
  return made
}

export const MESSAGE = '右侧基底节区急性脑出血，量约30ml，中线左移5mm'
export const READ_BACK = '右侧基底节区急性脑出血约30ml，中线左移5mm'

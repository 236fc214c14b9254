import os from 'node:os'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import { insertIgnore, sqlTime } from './db_helpers.js'

/*
| Only one app node runs a scheduled job at a time: each run first takes a
| lease row in the database (the engine every node shares). A node that dies
| holding a lease loses it when the lease expires.
*/

const HOLDER = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
const running = new Set<string>()

const leaseTime = (time: DateTime) => sqlTime(time, true)

export async function acquireLease(name: string, ttlMs: number, holder = HOLDER) {
  // Wall-clock time, not the injectable Clock: leases are between machines, not domain rules.
  const now = DateTime.utc()
  const expires = now.plus({ milliseconds: ttlMs })
  await insertIgnore(
    'job_leases',
    { name, holder, expires_at: leaseTime(now.minus({ seconds: 1 })) },
    'name'
  )
  const taken = await db
    .from('job_leases')
    .where('name', name)
    .where((q) => q.where('holder', holder).orWhere('expires_at', '<', leaseTime(now)))
    .update({ holder, expires_at: leaseTime(expires) })
  return Number(taken) === 1
}

export async function releaseLease(name: string, holder = HOLDER) {
  await db
    .from('job_leases')
    .where('name', name)
    .where('holder', holder)
    .update({ expires_at: leaseTime(DateTime.utc().minus({ seconds: 1 })) })
}

/**
 * Runs `job` unless another node (or a still-running earlier run here) holds it.
 * Returns false when skipped.
 */
export async function runExclusive(name: string, ttlMs: number, job: () => Promise<unknown>) {
  if (running.has(name)) return false
  running.add(name)
  try {
    if (!(await acquireLease(name, ttlMs))) return false
    try {
      await job()
    } finally {
      if (!app.isTerminating) await releaseLease(name)
    }
    return true
  } finally {
    running.delete(name)
  }
}

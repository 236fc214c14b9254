import { DateTime, type DurationLike } from 'luxon'

/**
 * The time rules run on (turnaround, escalation, retention, lockouts).
 * Services take it from the container, so tests swap in a ManualClock and
 * move time instead of waiting:
 *
 *   const clock = new ManualClock('2026-11-22T08:00:00Z')
 *   app.container.swap(Clock, () => clock)
 */
export abstract class Clock {
  abstract now(): DateTime
}

export class SystemClock extends Clock {
  now() {
    return DateTime.utc()
  }
}

export class ManualClock extends Clock {
  #now: DateTime

  constructor(start: string | DateTime = DateTime.utc()) {
    super()
    this.#now = typeof start === 'string' ? DateTime.fromISO(start, { zone: 'utc' }) : start.toUTC()
  }

  now() {
    return this.#now
  }

  set(to: string | DateTime) {
    this.#now = typeof to === 'string' ? DateTime.fromISO(to, { zone: 'utc' }) : to.toUTC()
  }

  advance(by: DurationLike) {
    this.#now = this.#now.plus(by)
    return this.#now
  }
}

/*
| The scheduled-job registry. Each capability declares its own jobs in
| app/<capability>/jobs.ts (loaded from start/jobs.ts); start/scheduler.ts runs
| every registered job with node-cron under a database lease, so only one app
| node runs each job at a time.
*/

export interface ScheduledJob {
  /** `<capability>.<what it does>`, also the lease's name */
  name: string
  /** node-cron expression, seconds first when six fields */
  cron: string
  /** the zone the expression is read in (default the server's, UTC); e.g. the hospital's for a nightly job */
  timezone?: string
  /** how long a run may hold the lease before another node may take over */
  leaseMs: number
  run: () => Promise<unknown>
}

class ScheduledJobRegistry {
  #jobs = new Map<string, ScheduledJob>()

  register(...jobs: ScheduledJob[]) {
    for (const job of jobs) {
      if (this.#jobs.has(job.name))
        throw new Error(`scheduled job "${job.name}" is registered twice`)
      this.#jobs.set(job.name, job)
    }
  }

  all(): ScheduledJob[] {
    return [...this.#jobs.values()]
  }

  find(name: string) {
    return this.#jobs.get(name)
  }
}

export const scheduledJobs = new ScheduledJobRegistry()

/*
| Scheduled jobs (node-cron), each run under a database lease so that only one
| app node runs it. Capabilities register their jobs in app/<capability>/jobs.ts.
*/
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import cron, { type ScheduledTask } from 'node-cron'
import imaging from '#config/imaging'
import { runExclusive } from '#app/platform/job_lease'
import { scheduledJobs } from '#app/platform/scheduled_jobs'
import '#start/jobs'

const tasks: ScheduledTask[] = []

app.ready(async () => {
  if (!imaging.scheduler.enabled) return
  for (const job of scheduledJobs.all()) {
    const task = cron.schedule(
      job.cron,
      () =>
        runExclusive(job.name, job.leaseMs, job.run).catch((error) =>
          logger.error(
            { err: error, job: job.name },
            'scheduled job failed; it runs again at its next time'
          )
        ),
      // Overlapping runs are skipped quietly by runExclusive (and across nodes by the lease).
      { name: job.name, ...(job.timezone ? { timezone: job.timezone } : {}) }
    )
    tasks.push(task)
  }
  logger.info(
    'scheduler: %d jobs (%s)',
    tasks.length,
    scheduledJobs
      .all()
      .map((j) => j.name)
      .join(', ')
  )
})

app.terminating(async () => {
  for (const task of tasks) await task.stop()
})

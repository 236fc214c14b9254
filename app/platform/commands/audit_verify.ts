import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

/**
 * `node ace audit:verify --from=2026-11-01 --to=2026-11-30`: checks the audit log's hash chain over UTC days
 * (default: yesterday and today) and exits 1 when a line was changed, removed or slipped in
 * (MLPS 8.1.4.3 c). The run itself is audited.
 */
export default class AuditVerify extends BaseCommand {
  static commandName = 'audit:verify'
  static description = "Verify the audit log's hash chain over a period (exit code 1 on any break)"
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'First UTC day (YYYY-MM-DD)' })
  declare from: string | undefined

  @flags.string({ description: 'Last UTC day (YYYY-MM-DD)' })
  declare to: string | undefined

  async run() {
    const { DateTime } = await import('luxon')
    const { verifyChain } = await import('#app/platform/audit/audit_chain')
    const { audit } = await import('#app/platform/audit/audit_log')
    const today = DateTime.utc().toISODate()!
    const from = this.from ?? DateTime.utc().minus({ days: 1 }).toISODate()!
    const to = this.to ?? today
    const started = Date.now()
    const report = await verifyChain(from, to)
    const ms = Date.now() - started
    await audit.record(
      { username: 'cli' },
      {
        action: 'audit.verify',
        outcome: report.ok ? 'success' : 'failed',
        details: {
          from,
          to,
          checked: report.checked,
          problems: report.problems.length,
          via: 'cli',
        },
      }
    )
    this.logger.log(
      `${report.days} day(s), ${report.checked} lines checked in ${ms} ms, ${report.legacy} legacy lines without a chain`
    )
    for (const p of report.problems.slice(0, 50))
      this.logger.error(`${p.kind} · day ${p.day || '—'} · seq ${p.seq ?? '—'} · id ${p.id ?? '—'}`)
    if (!report.ok) {
      this.logger.error(
        `${report.problems.length} problem(s): the audit log was changed outside the app`
      )
      this.exitCode = 1
    } else this.logger.success('the audit log is intact')
  }
}

import { inject } from '@adonisjs/core'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import { verifyChain, type ChainReport } from '#app/platform/audit/audit_chain'
import { DomainRefusal } from '#app/platform/domain_refusal'
import imaging from '#config/imaging'

/** The audit administrator verifies a period of the audit log (MLPS 8.1.4.3 c); the nightly job yesterday's. */
@inject()
export class AuditVerification {
  constructor(protected clock: Clock) {}

  /** Up to a year at a time (a long period is a job for `node ace audit:verify`). */
  async verify(from: string, to: string): Promise<ChainReport> {
    if (from > to) throw new DomainRefusal('period_reversed', 'audit.verify.period_reversed')
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000
    if (days > 366) throw new DomainRefusal('period_too_long', 'audit.verify.period_too_long')
    const purgedBefore = this.clock.now().minus({ days: imaging.audit.retentionDays }).toISODate()!
    return verifyChain(from, to, { purgedBefore })
  }

  async verifyYesterday() {
    const day = this.clock.now().minus({ days: 1 }).toISODate()!
    const report = await this.verify(day, day)
    await audit.system({
      action: 'audit.verify',
      outcome: report.ok ? 'success' : 'failed',
      details: { from: day, to: day, checked: report.checked, problems: report.problems.length },
    })
    return report
  }
}

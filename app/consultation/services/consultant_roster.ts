import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Institution from '#models/institution'
import User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { canReceive } from '#app/critical_values/critical_value_rules'
import { canConsult } from '#app/consultation/consultation_rules'

/*
| Who answers a consultation. The lead hospital's duty desk is the one roster
| the centre keeps (critical values' DutyRoster, read here, never written):
| a new request goes to the desk radiologist (intermediate or above) with the
| fewest open consultations; with no desk named, the roster's own stand-ins
| (the lead hospital's intermediate-or-senior radiologists) take it. The head
| of department is the lead hospital's senior radiologists (the roster has no
| such duty; escalation's second step goes to them).
*/
@inject()
export class ConsultantRoster {
  constructor(
    protected clock: Clock,
    protected roster: DutyRoster
  ) {}

  async leadHospital() {
    return Institution.query().where('kind', 'lead_hospital').where('active', true).first()
  }

  /** The duty desk (or its stand-ins) as consultants. */
  async dutyDesk(): Promise<User[]> {
    const lead = await this.leadHospital()
    if (!lead) return []
    const { recipients } = await this.roster.escalationRecipients(lead.id)
    const users = recipients.filter((r) => r.reason === 'duty_desk').map((r) => r.user)
    for (const user of users) if (!user.institution) await user.load('institution')
    const consultants = users.filter((u) => canConsult(u))
    if (consultants.length) return consultants
    // The desk is kept by someone who does not give opinions (a QC officer): the roster's stand-ins answer, as for alerts.
    return this.standIns()
  }

  protected async standIns() {
    const now = this.clock.now()
    const readers = await User.query()
      .where('role', 'radiologist')
      .whereIn('title', ['intermediate', 'senior'])
      .where('status', 'active')
      .whereHas('institution', (q) => q.where('kind', 'lead_hospital'))
      .preload('institution')
    return readers.filter((u) => canReceive(u, now) && canConsult(u))
  }

  async headsOfDepartment(): Promise<User[]> {
    const now = this.clock.now()
    const seniors = await User.query()
      .where('role', 'radiologist')
      .where('title', 'senior')
      .where('status', 'active')
      .whereHas('institution', (q) => q.where('kind', 'lead_hospital'))
      .preload('institution')
    return seniors.filter((u) => canReceive(u, now) && canConsult(u))
  }

  /** The consultant for a new request: the least loaded of the duty desk, never the requester. */
  async pickConsultant(requesterId: number): Promise<User | null> {
    const desk = (await this.dutyDesk()).filter((u) => u.id !== requesterId)
    if (!desk.length) return null
    const load = await db
      .from('consultations')
      .whereIn(
        'consultant_id',
        desk.map((u) => u.id)
      )
      .where('status', 'open')
      .groupBy('consultant_id')
      .select('consultant_id')
      .count('* as n')
    const openOf = new Map(load.map((row: any) => [Number(row.consultant_id), Number(row.n)]))
    return [...desk].sort(
      (a, b) => (openOf.get(a.id) ?? 0) - (openOf.get(b.id) ?? 0) || a.id - b.id
    )[0]
  }
}

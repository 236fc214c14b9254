import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { Clock } from '#app/platform/clock'
import { audit } from '#app/platform/audit/audit_log'
import Consultation from '#app/consultation/models/consultation'
import ConsultationMessage from '#app/consultation/models/consultation_message'
import { dueEscalationSteps } from '#app/consultation/consultation_rules'
import { ConsultantRoster } from '#app/consultation/services/consultant_roster'
import { consultationNews } from '#app/consultation/services/consultation_news'

const sql = (t: DateTime) => t.toUTC().toSQL({ includeOffset: false })!

/** The consultation has an escalation to the upper-level hospital (any status: pending, delivered, answered). */
const notSentUpper = (query: any) =>
  query
    .from('consultation_upper_escalations')
    .whereColumn('consultation_upper_escalations.consultation_id', 'consultations.id')
    .select(db.raw('1'))

/*
| C 4.2.3: 24-hour service with a time limit. An open consultation past its due
| time goes to the duty desk (level 1); still open half a window later, to the
| head of department (level 2). Run every few seconds under the job lease; each
| step is claimed with a conditional update so overlapping runs never repeat it.
|
| A consultation the assigned consultant has sent on to the upper-level
| hospital (C 4.2.3 疑难病例转上级医院会诊) is out of this sweep: the lead
| hospital has acted on it within its time limit, and the answer awaited is the
| upper hospital's. Taking it to the duty desk or the head of department then
| would hand a second lead-hospital reader a case already with a higher
| authority and tell the clinic nothing new. The wait stays visible instead:
| the thread and the API show the escalation pending or delivered, and the
| upper hospital's queue lists it with its urgency. The exclusion is checked in
| the claiming update too, so an escalation made between the candidate query
| and the claim still wins.
*/
@inject()
export class ConsultationEscalation {
  constructor(
    protected clock: Clock,
    protected roster: ConsultantRoster
  ) {}

  async escalateOverdue(now: DateTime = this.clock.now()) {
    const candidates = await Consultation.query()
      .where('status', 'open')
      .where('escalation_level', '<', 2)
      .where('due_at', '<=', sql(now))
      .whereNotExists(notSentUpper)
      .orderBy('due_at')
      .limit(500)
    let escalated = 0
    for (const consultation of candidates) {
      for (const level of dueEscalationSteps(consultation, now)) {
        if (await this.escalate(consultation, level, now)) escalated++
      }
    }
    return { escalated }
  }

  protected async escalate(consultation: Consultation, level: 1 | 2, now: DateTime) {
    const people =
      level === 1 ? await this.roster.dutyDesk() : await this.roster.headsOfDepartment()
    // Names as data, joined by a comma; the page lists them in its own language's separator.
    const names = people.map((u) => u.fullName).join(',')
    const done = await db.transaction(async (trx) => {
      const claimed = await trx
        .from('consultations')
        .where('id', consultation.id)
        .where('status', 'open')
        .where('escalation_level', level - 1)
        .whereNotExists(notSentUpper)
        .update({ escalation_level: level, escalated_at: sql(now), updated_at: sql(now) })
      if (Number(claimed) !== 1) return false
      await ConsultationMessage.create(
        {
          consultationId: consultation.id,
          authorId: null,
          institutionId: null,
          kind: 'system',
          body: `${level === 1 ? 'escalated_desk' : 'escalated_head'}:${names}`,
          createdAt: now,
        },
        { client: trx }
      )
      return true
    })
    if (!done) return false
    await consultation.refresh()
    await audit.system({
      action: 'consultation.escalate',
      targetType: 'consultation',
      targetId: consultation.id,
      details: { level, recipients: people.length },
    })
    consultationNews.assigned(
      consultation,
      people.map((u) => u.id),
      level === 1 ? 'escalated' : 'head_of_department'
    )
    return true
  }
}

import db from '@adonisjs/lucid/services/db'
import { inject } from '@adonisjs/core'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sqlTime } from '#app/platform/db_helpers'
import { hospitalToday } from '#app/platform/dates'

/*
| C 9.2.1 闭环: a problem found in an assessment becomes an action with an owner, a
| due date and a follow-up; an open action past its date is overdue (home pages of
| the clinic head and the QC officers); the next quarter shows whether it was closed.
*/

export interface ActionInput {
  institutionId: number
  quarter: string
  indicatorKey?: string | null
  problem: string
  owner: string
  dueOn: string
}

@inject()
export class CorrectiveActions {
  constructor(protected clock: Clock) {}

  async open(user: User, input: ActionInput) {
    const clinic = await db
      .from('institutions')
      .where('id', input.institutionId)
      .where('kind', 'member_clinic')
      .first()
    if (!clinic) throw new DomainRefusal('unknown_clinic', 'assessments.refusals.unknown_clinic')
    const now = sqlTime(this.clock.now())
    const [id] = await db.table('corrective_actions').insert({
      institution_id: input.institutionId,
      quarter: input.quarter,
      indicator_key: input.indicatorKey ?? null,
      problem: input.problem,
      owner: input.owner,
      due_on: input.dueOn,
      status: 'open',
      created_by_id: user.id,
      created_at: now,
      updated_at: now,
    })
    return Number(id)
  }

  find(id: number) {
    return db.from('corrective_actions').where('id', id).first()
  }

  /** A follow-up note, and optionally closing the action; a closed action no longer changes. */
  async followUp(user: User, id: number, followUp: string, close: boolean) {
    const action = await this.find(id)
    if (!action) throw DomainRefusal.notFound('corrective_action')
    if (action.status === 'closed')
      throw new DomainRefusal('action_closed', 'assessments.refusals.action_closed', {}, 409)
    const now = sqlTime(this.clock.now())
    const stamp = `${hospitalToday(this.clock.now()).toISODate()} ${user.fullName}: ${followUp}`
    await db
      .from('corrective_actions')
      .where('id', id)
      .where('status', 'open')
      .update({
        follow_up: action.follow_up ? `${action.follow_up}\n${stamp}` : stamp,
        updated_at: now,
        ...(close ? { status: 'closed', closed_at: now, closed_by_id: user.id } : {}),
      })
    return this.find(id)
  }

  /** Actions of a clinic (or all), with whether each is overdue today. */
  async list(
    filter: { institutionId?: number; quarter?: string; status?: 'open' | 'closed' } = {}
  ) {
    const q = db
      .from('corrective_actions as a')
      .join('institutions as i', 'i.id', 'a.institution_id')
      .orderBy('a.due_on')
      .select('a.*', 'i.name as clinic_name')
    if (filter.institutionId) q.where('a.institution_id', filter.institutionId)
    if (filter.quarter) q.where('a.quarter', filter.quarter)
    if (filter.status) q.where('a.status', filter.status)
    const today = hospitalToday(this.clock.now()).toISODate()!
    return (await q).map((a: any) => ({
      ...a,
      overdue: a.status === 'open' && isoDate(a.due_on) < today,
    }))
  }

  async overdue(institutionId?: number) {
    return (await this.list({ institutionId, status: 'open' })).filter((a: any) => a.overdue)
  }
}

function isoDate(value: Date | string) {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10)
}

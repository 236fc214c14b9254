import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import type User from '#models/user'
import { CorrectiveActions } from '#app/assessments/services/corrective_actions'
import { isoDay } from '#app/assessments/services/training'

/** The latest published bulletin and whether this person has opened it. */
export async function homeBulletin(user: User) {
  const bulletin = await db
    .from('qc_bulletins')
    .where('status', 'published')
    .orderBy('quarter', 'desc')
    .select('id', 'quarter', 'published_at')
    .first()
  if (!bulletin) return { bulletin: null, opened: false }
  const opened = await db
    .from('qc_bulletin_openings')
    .where('qc_bulletin_id', bulletin.id)
    .where('user_id', user.id)
    .first()
  return { bulletin, opened: Boolean(opened) }
}

/**
 * Overdue corrective actions: every clinic's for QC officers and administrators;
 * for clinic staff, their clinic's when they are its head (the critical-value
 * contacts' "clinic head" duty, which names the head of each clinic).
 */
export async function overdueActionsFor(user: User) {
  const actions = await app.container.make(CorrectiveActions)
  if (user.role === 'qc_officer' || user.role === 'admin')
    return { actions: (await actions.overdue()).map(shown) }
  const head = await db
    .from('critical_value_contacts')
    .where('user_id', user.id)
    .where('duty', 'clinic_head')
    .first()
  if (!head) return { actions: [] }
  return { actions: (await actions.overdue(user.institutionId)).map(shown) }
}

function shown(action: any) {
  return {
    id: action.id,
    clinicName: action.clinic_name,
    problem: action.problem,
    owner: action.owner,
    dueOn: isoDay(action.due_on),
    institutionId: action.institution_id,
    quarter: action.quarter,
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import { can } from '#app/platform/http/can'
import { numericParam, recordById, type RecordLoader } from '#app/platform/http/use_case'

/** The assessments' pipeline steps (AssessmentPolicy) and record loaders. */
export const mayManageAssessments = can('AssessmentPolicy', 'manage')
export const mayViewAssessments = can('AssessmentPolicy', 'view')
export const mayReadBulletins = can('AssessmentPolicy', 'readBulletins')

export function seesAllClinics(user: Pick<User, 'role'>) {
  return user.role === 'qc_officer' || user.role === 'admin'
}

/** A record of one clinic: QC officers and administrators see every clinic's, clinic staff only their own (else 404). */
function ownClinic(ctx: HttpContext, institutionId: number) {
  const user = ctx.auth.user as User
  return seesAllClinics(user) || user.institutionId === Number(institutionId)
}

/** A member clinic named by `:id` (the clinic's quarter page). */
export const memberClinicTarget: RecordLoader<{ id: number; name: string }> = {
  type: 'institution',
  find: async (ctx) => {
    const id = numericParam(ctx)
    return id
      ? db
          .from('institutions')
          .where('id', id)
          .where('kind', 'member_clinic')
          .select('id', 'name')
          .first()
      : null
  },
  visible: (ctx, clinic) => ownClinic(ctx, clinic.id),
}

/** The clinic a records page names (`?clinicId=`). */
export const recordsClinicTarget: RecordLoader<{ id: number; name: string }> = {
  type: 'institution',
  requested: (ctx) => ctx.request.qs().clinicId,
  find: async (ctx) => {
    const id = Number(ctx.request.qs().clinicId)
    return Number.isInteger(id) && id > 0
      ? db.from('institutions').where('id', id).select('id', 'name').first()
      : null
  },
  visible: (ctx, clinic) => ownClinic(ctx, clinic.id),
}

export const trainingSessionTarget: RecordLoader<any> = {
  ...recordById('training_session', (id) => db.from('training_sessions').where('id', id).first()),
  visible: (ctx, session) => ownClinic(ctx, session.institution_id),
}

export const staffMemberTarget: RecordLoader<any> = {
  ...recordById('staff_member', (id) => db.from('staff_members').where('id', id).first()),
  visible: (ctx, person) => ownClinic(ctx, person.institution_id),
}

export const roundTarget = recordById('assessment_round', (id) =>
  db.from('assessment_rounds').where('id', id).first()
)

export const actionTarget: RecordLoader<any> = {
  ...recordById('corrective_action', (id) => db.from('corrective_actions').where('id', id).first()),
  visible: (ctx, action) => ownClinic(ctx, action.institution_id),
}

export const spotCheckTarget = recordById('spot_check', (id) =>
  db.from('spot_checks').where('id', id).first()
)

/** A bulletin: drafts only for QC officers and administrators; a published one for everyone. */
export const bulletinTarget: RecordLoader<any> = {
  ...recordById('qc_bulletin', (id) =>
    db
      .from('qc_bulletins')
      .where('id', id)
      .select('id', 'quarter', 'status', 'figures', 'drafted_at', 'published_at')
      .first()
  ),
  visible: (ctx, bulletin) =>
    bulletin.status === 'published' || seesAllClinics(ctx.auth.user as User),
}

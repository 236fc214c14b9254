import Institution from '#models/institution'
import StaffMember from '#models/staff_member'
import StaffCertificate from '#models/staff_certificate'
import StaffingPlan from '#models/staffing_plan'
import { can } from '#app/platform/http/can'
import { numericParam, recordById, type RecordLoader } from '#app/platform/http/use_case'

/** Staffing's pipeline steps: administrators' work (StaffingPolicy); records named by numeric id. */
export const mayManageStaffing = can('StaffingPolicy', 'manage')

export const rosterInstitutionTarget: RecordLoader<Institution> = {
  type: 'institution',
  requested: (ctx) => ctx.params.institutionId,
  find: async (ctx) => {
    const id = numericParam(ctx, 'institutionId')
    const institution = id ? await Institution.find(id) : null
    // Only the lead hospital and member clinics keep a roster.
    return institution &&
      (institution.kind === 'lead_hospital' || institution.kind === 'member_clinic')
      ? institution
      : null
  },
}

export const staffMemberTarget = recordById('staff_member', (id) =>
  StaffMember.query()
    .where('id', id)
    .preload('institution')
    .preload('certificates', (q) => q.orderBy('kind'))
    .first()
)
export const certificateTarget = recordById('staff_certificate', (id) => StaffCertificate.find(id))
export const staffingPlanTarget = recordById('staffing_plan', (id) =>
  StaffingPlan.query().where('id', id).preload('createdBy').first()
)

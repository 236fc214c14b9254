import Institution from '#models/institution'
import StaffMember from '#models/staff_member'
import StaffCertificate from '#models/staff_certificate'
import StaffingPlan from '#models/staffing_plan'
import { can } from '#app/platform/http/can'
import { numericParam, type RecordLoader } from '#app/platform/http/use_case'

/** Staffing's pipeline steps: administrators' work (StaffingPolicy); records named by numeric id. */
export const mayManageStaffing = can('StaffingPolicy', 'manage')

export const rosterInstitutionTarget: RecordLoader<Institution> = {
  type: 'institution',
  requested: (ctx) => ctx.params.institutionId,
  find: async (ctx) => {
    const id = numericParam(ctx, 'institutionId')
    const institution = id ? await Institution.find(id) : null
    // Only the lead hospital and member clinics keep a roster.
    return institution && (institution.kind === 'lead_hospital' || institution.kind === 'member_clinic') ? institution : null
  },
}

export const staffMemberTarget: RecordLoader<StaffMember> = {
  type: 'staff_member',
  find: async (ctx) => {
    const id = numericParam(ctx)
    return id ? StaffMember.query().where('id', id).preload('institution').preload('certificates', (q) => q.orderBy('kind')).first() : null
  },
}

export const certificateTarget: RecordLoader<StaffCertificate> = {
  type: 'staff_certificate',
  find: async (ctx) => (numericParam(ctx) ? StaffCertificate.find(numericParam(ctx)!) : null),
}

export const staffingPlanTarget: RecordLoader<StaffingPlan> = {
  type: 'staffing_plan',
  find: async (ctx) => (numericParam(ctx) ? StaffingPlan.query().where('id', numericParam(ctx)!).preload('createdBy').first() : null),
}

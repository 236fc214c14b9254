import app from '@adonisjs/core/services/app'
import Institution from '#models/institution'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import Consultation from '#app/consultation/models/consultation'
import { reportSharingRates, REPORT_SHARING_TARGET } from '#app/consultation/indicators'

/** The centre's dashboard panel: this month's report sharing rate per clinic, and how many consultations are open or overdue. */
export async function consultationDashboard() {
  const now = (await app.container.make(Clock)).now()
  const from = now.setZone(imaging.displayTimezone).startOf('month')
  const clinics = await Institution.query()
    .where('kind', 'member_clinic')
    .where('active', true)
    .orderBy('code')
  const rates = await reportSharingRates({ from, to: now, clinicIds: clinics.map((c) => c.id) })
  const open = await Consultation.query().where('status', 'open').count('* as n')
  const overdue = await Consultation.query()
    .where('status', 'open')
    .where('due_at', '<=', now.toUTC().toSQL({ includeOffset: false })!)
    .count('* as n')
  return {
    target: REPORT_SHARING_TARGET,
    rows: clinics.map((clinic) => ({ clinic, ...rates.get(clinic.id)! })),
    open: Number(open[0].$extras.n),
    overdue: Number(overdue[0].$extras.n),
  }
}

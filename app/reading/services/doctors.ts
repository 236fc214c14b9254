import User from '#models/user'
import { readsForAlliance } from '#app/access/visibility'
import type { Doctor } from '#app/reading/services/report_rules'

/** A user as the sign-off rules see them: who they are, their title, whether they read for the alliance. */
export async function doctorOf(user: User): Promise<Doctor> {
  if (!user.$preloaded.institution) await user.load('institution')
  return {
    id: user.id,
    role: user.role,
    title: user.title,
    isReader: user.role === 'radiologist' && readsForAlliance(user),
  }
}

/** The lead-hospital radiologists a senior may hand an exam to. */
export async function readingDoctors() {
  return User.query()
    .where('role', 'radiologist')
    .where('status', 'active')
    .whereHas('institution', (q) => q.where('kind', 'lead_hospital'))
    .orderBy('full_name')
}

import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Exam from '#models/exam'
import UnmatchedStudy from '#models/unmatched_study'
import { scopeExams } from '#app/intake/exam_visibility'

/** The first page after login: what this person has to do now. */
export default class HomeController {
  async show({ view, auth }: HttpContext) {
    const user = auth.user!
    const byStatus = await scopeExams(Exam.query(), user).select('status').count('* as total').groupBy('status')
    const counts = Object.fromEntries(byStatus.map((row) => [row.status, Number(row.$extras.total)]))
    const recent = await scopeExams(Exam.query(), user).preload('patient').preload('institution').preload('items').orderBy('registered_at', 'desc').limit(10)
    const unmatched =
      user.role === 'clinic_staff' ? await UnmatchedStudy.query().where('institution_id', user.institutionId).where('status', 'open').count('* as total') : null
    const admin =
      user.role === 'admin'
        ? {
            institutions: Number((await db.from('institutions').count('* as total').first()).total),
            users: Number((await db.from('users').count('* as total').first()).total),
            senders: Number((await db.from('dicom_senders').count('* as total').first()).total),
            items: Number((await db.from('exam_items').where('active', true).count('* as total').first()).total),
          }
        : null
    return view.render('pages/home', {
      counts,
      recent,
      unmatchedOpen: unmatched ? Number(unmatched[0].$extras.total) : 0,
      admin,
    })
  }
}

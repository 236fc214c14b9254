/*
| Mutual recognition listens to intake and reading: an upload or a signed
| report updates that clinic × day's data-quality row at once (the nightly
| job in jobs.ts catches up whatever a lost event missed, domain_events.ts).
*/
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'

async function refresh(examId: number, when: 'images' | 'signed') {
  const { DataQuality } = await import('#app/recognition/services/data_quality')
  const db = (await import('@adonisjs/lucid/services/db')).default
  const { toDateTime } = await import('#app/recognition/services/eligibility')
  const { default: imaging } = await import('#config/imaging')
  const quality = await app.container.make(DataQuality)
  if (when === 'images') await quality.recordUploads(examId)
  const exam = await db
    .from('exams')
    .where('id', examId)
    .select('institution_id', 'images_received_at', 'report_signed_at')
    .first()
  const at = when === 'images' ? exam?.images_received_at : exam?.report_signed_at
  if (!exam || !at) return
  await quality.recompute(
    Number(exam.institution_id),
    toDateTime(at).setZone(imaging.displayTimezone).toISODate()!
  )
}

function listen(examId: number, when: 'images' | 'signed') {
  // Tests build their own fixtures and recompute explicitly; a listener racing a test's rollback only logs noise.
  if (app.inTest) return
  refresh(examId, when).catch((error) =>
    logger.warn(
      { err: error, examId },
      'recognition: data-quality refresh failed; the nightly roll-up will catch up'
    )
  )
}

emitter.on('exam:images_received', (event) => listen(event.examId, 'images'))
emitter.on('report:signed', (event) => listen(event.examId, 'signed'))

import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { Clock } from '#app/platform/clock'
import { clinicIndicators } from '#app/platform/clinic_indicators'
import { audit } from '#app/platform/audit/audit_log'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { notify } from '#app/recognition/services/notices'
import { recognitionSettings } from '#app/recognition/services/recognition_settings'

/*
| R 9.1: recognition is earned by QC and kept up by QC. Once a day the QC pass
| rate of each recognised institution × modality over the last quarter (three
| months to today) is read from quality control's indicator; below the
| threshold the institution × modality is suspended and the administrators are
| told. Without quality control installed nothing is suspended.
*/

export const PASS_RATE_INDICATOR = 'quality.image_pass_rate'
const MODALITIES = ['DR', 'CT', 'MR']

export interface SuspensionOutcome {
  institutionId: number
  modality: string
  passRate: number
  suspensionId: number
}

@inject()
export class RecognitionSuspensions {
  constructor(protected clock: Clock) {}

  async review(now: DateTime = this.clock.now()): Promise<SuspensionOutcome[]> {
    const indicator = clinicIndicators.get(PASS_RATE_INDICATOR)
    if (!indicator) return []
    const { suspension_threshold: threshold } = await recognitionSettings()
    const recognised = await db
      .from('recognition_item_evaluations')
      .where('passed', true)
      .distinct('institution_id')
    const clinicIds = recognised.map((r) => Number(r.institution_id))
    if (!clinicIds.length) return []
    const from = now.minus({ months: 3 })
    const outcomes: SuspensionOutcome[] = []
    for (const modality of MODALITIES) {
      const rates = await indicator.compute({ from, to: now, clinicIds, modality })
      for (const [institutionId, figure] of rates) {
        if (figure.value === null || figure.value === undefined || figure.value >= threshold)
          continue
        const active = await db
          .from('recognition_suspensions')
          .where('institution_id', institutionId)
          .where('modality', modality)
          .whereNull('lifted_at')
          .first()
        if (active) continue
        const [id] = await db.table('recognition_suspensions').insert({
          institution_id: institutionId,
          modality,
          pass_rate: figure.value,
          threshold,
          period_from: from.toISODate(),
          period_to: now.toISODate(),
          suspended_at: sqlTime(now),
        })
        outcomes.push({ institutionId, modality, passRate: figure.value, suspensionId: Number(id) })
        await audit.system({
          action: 'recognition.suspend',
          targetType: 'institution',
          targetId: institutionId,
          details: { modality, passRate: figure.value, threshold },
        })
        const institution = await db
          .from('institutions')
          .where('id', institutionId)
          .select('name')
          .first()
        const admins = await db
          .from('users')
          .where('role', 'admin')
          .where('status', 'active')
          .select('id')
        await notify(
          admins.map((a) => Number(a.id)),
          'suspension',
          'recognition.notices.suspended',
          {
            institution: institution?.name ?? String(institutionId),
            modality,
            rate: Math.round(figure.value * 1000) / 10,
            threshold: Math.round(threshold * 1000) / 10,
          },
          now
        )
      }
    }
    return outcomes
  }

  async lift(suspensionId: number, userId: number) {
    const row = await db.from('recognition_suspensions').where('id', suspensionId).first()
    if (!row) throw DomainRefusal.notFound('suspension')
    if (row.lifted_at)
      throw new DomainRefusal('already_lifted', 'recognition.refusals.already_lifted')
    await db
      .from('recognition_suspensions')
      .where('id', suspensionId)
      .update({ lifted_at: sqlTime(this.clock.now()), lifted_by_id: userId })
    return { id: suspensionId, institutionId: Number(row.institution_id), modality: row.modality }
  }

  list() {
    return db
      .from('recognition_suspensions')
      .join('institutions', 'institutions.id', 'recognition_suspensions.institution_id')
      .select('recognition_suspensions.*', 'institutions.name as institution_name')
      .orderBy('recognition_suspensions.suspended_at', 'desc')
      .limit(200)
  }
}

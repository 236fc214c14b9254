import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import CriticalFinding from '#models/critical_finding'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { upsert } from '#app/platform/db_helpers'
import {
  DEFAULT_CRITICAL_FINDINGS,
  type FindingCategory,
} from '#app/critical_values/default_findings'
import { sqlTime } from '#app/critical_values/hand_off_log'

export interface FindingInput {
  code?: string
  name: string
  nameEn?: string | null
  category: FindingCategory
  ackMinutes: number
  active?: boolean
}

export const TWO_PERSON_CHECK = 'two_person_check'

/*
| The maintained list of critical findings and the policy switches of the
| critical-value process. Findings are never deleted (the registry names
| them); a finding no longer used is made inactive.
*/
@inject()
export class CriticalFindingList {
  constructor(protected clock: Clock) {}

  all() {
    return CriticalFinding.query().orderBy('seq').orderBy('id')
  }

  active() {
    return CriticalFinding.query().where('active', true).orderBy('seq').orderBy('id')
  }

  /** The common imaging critical values; those already listed (by code) are left as the administrators keep them. */
  async seedDefaults() {
    const existing = new Set((await CriticalFinding.query().select('code')).map((f) => f.code))
    let added = 0
    for (const [index, finding] of DEFAULT_CRITICAL_FINDINGS.entries()) {
      if (existing.has(finding.code)) continue
      await CriticalFinding.create({
        code: finding.code,
        name: finding.name,
        nameEn: finding.nameEn,
        category: finding.category,
        ackMinutes: finding.ackMinutes,
        seq: index + 1,
        active: true,
      })
      added++
    }
    return added
  }

  async create(input: FindingInput) {
    const code =
      (input.code ?? '').trim().toUpperCase() || `LOCAL_${Date.now().toString(36).toUpperCase()}`
    if (await CriticalFinding.findBy('code', code))
      throw new DomainRefusal('code_taken', 'critical_values.findings.code_taken', { code })
    if (await CriticalFinding.query().where('name', input.name.trim()).first()) {
      throw new DomainRefusal('name_taken', 'critical_values.findings.name_taken', {
        name: input.name.trim(),
      })
    }
    const last = await db.from('critical_findings').max('seq as seq').first()
    return CriticalFinding.create({
      code,
      name: input.name.trim(),
      nameEn: input.nameEn?.trim() || null,
      category: input.category,
      ackMinutes: input.ackMinutes,
      seq: Number(last?.seq ?? 0) + 1,
      active: input.active ?? true,
    })
  }

  async update(finding: CriticalFinding, input: FindingInput) {
    const clash = await CriticalFinding.query()
      .where('name', input.name.trim())
      .whereNot('id', finding.id)
      .first()
    if (clash)
      throw new DomainRefusal('name_taken', 'critical_values.findings.name_taken', {
        name: input.name.trim(),
      })
    finding.merge({
      name: input.name.trim(),
      nameEn: input.nameEn?.trim() || null,
      category: input.category,
      ackMinutes: input.ackMinutes,
      active: input.active ?? finding.active,
    })
    await finding.save()
    return finding
  }

  /** The two-person check (双人核对): a second radiologist confirms before the alert goes out. Off unless switched on. */
  async twoPersonCheck() {
    const row = await db.from('critical_value_settings').where('name', TWO_PERSON_CHECK).first()
    return row?.value === 'on'
  }

  async setTwoPersonCheck(on: boolean, actor: User | null) {
    await upsert(
      'critical_value_settings',
      {
        name: TWO_PERSON_CHECK,
        value: on ? 'on' : 'off',
        updated_by_id: actor?.id ?? null,
        updated_at: sqlTime(this.clock.now()),
      },
      'name'
    )
  }
}

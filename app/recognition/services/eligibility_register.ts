import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { sqlTime, upsert } from '#app/platform/db_helpers'
import { LEVEL_RANK } from '#app/recognition/services/recognition_rules'
import { activeCatalogues } from '#app/recognition/services/eligibility'

/*
| What the administrators keep (R 6.2, R 6.4, H 一): catalogues in force with
| their marks, institutions' recognition (public, a QC-centre evaluation with
| its dates), each institution × item's QC evaluation and the fee table.
*/

export interface InstitutionRecognitionInput {
  isPublic: boolean
  qcEvaluationPassedOn?: DateTime | null
  qcEvaluationValidUntil?: DateTime | null
}

export interface ItemEvaluationInput {
  institutionId: number
  examItemId: number
  passed: boolean
  evaluatedOn: DateTime
  validUntil?: DateTime | null
}

export interface CatalogueInput {
  code: string
  name: string
  mark: string
  scopeRank: number
  minLevel: string
  requiresPublic: boolean
  active?: boolean
}

@inject()
export class EligibilityRegister {
  constructor(protected clock: Clock) {}

  protected now() {
    return sqlTime(this.clock.now())
  }

  async setInstitution(userId: number, institutionId: number, input: InstitutionRecognitionInput) {
    const institution = await db.from('institutions').where('id', institutionId).first()
    if (!institution) throw DomainRefusal.notFound('institution')
    const passed = input.qcEvaluationPassedOn ?? null
    const until = input.qcEvaluationValidUntil ?? null
    if (until && !passed)
      throw new DomainRefusal(
        'evaluation_date_missing',
        'recognition.refusals.evaluation_date_missing'
      )
    if (passed && until && until < passed)
      throw new DomainRefusal('dates_reversed', 'recognition.refusals.dates_reversed')
    await upsert(
      'recognition_institutions',
      {
        institution_id: institutionId,
        is_public: input.isPublic,
        qc_evaluation_passed_on: passed?.toISODate() ?? null,
        qc_evaluation_valid_until: until?.toISODate() ?? null,
        updated_by_id: userId,
        created_at: this.now(),
        updated_at: this.now(),
      },
      'institution_id'
    )
    return { institutionId }
  }

  /** R 6.4: only an item of a catalogue in force can earn a mark; a local item cannot be evaluated for one. */
  async setItemEvaluation(userId: number, input: ItemEvaluationInput) {
    const institution = await db.from('institutions').where('id', input.institutionId).first()
    if (!institution) throw DomainRefusal.notFound('institution')
    const item = await db.from('exam_items').where('id', input.examItemId).first()
    if (!item) throw DomainRefusal.notFound('exam_item')
    if (!(await activeCatalogues()).has(item.catalogue))
      throw new DomainRefusal('item_not_in_catalogue', 'recognition.refusals.item_not_in_catalogue')
    if (input.validUntil && input.validUntil < input.evaluatedOn)
      throw new DomainRefusal('dates_reversed', 'recognition.refusals.dates_reversed')
    await upsert(
      'recognition_item_evaluations',
      {
        institution_id: input.institutionId,
        exam_item_id: input.examItemId,
        passed: input.passed,
        evaluated_on: input.evaluatedOn.toISODate(),
        valid_until: input.validUntil?.toISODate() ?? null,
        updated_by_id: userId,
        created_at: this.now(),
        updated_at: this.now(),
      },
      ['institution_id', 'exam_item_id'] as any
    )
    const row = await db
      .from('recognition_item_evaluations')
      .where('institution_id', input.institutionId)
      .where('exam_item_id', input.examItemId)
      .firstOrFail()
    return { id: Number(row.id) }
  }

  async saveCatalogue(input: CatalogueInput) {
    if (!(input.minLevel in LEVEL_RANK))
      throw new DomainRefusal('unknown_level', 'recognition.refusals.unknown_level')
    const existing = await db.from('recognition_catalogues').where('code', input.code).first()
    const row = {
      code: input.code,
      name: input.name,
      mark: input.mark,
      scope_rank: input.scopeRank,
      min_level: input.minLevel,
      requires_public: input.requiresPublic,
      active: input.active ?? true,
      updated_at: this.now(),
    }
    if (existing) await db.from('recognition_catalogues').where('id', existing.id).update(row)
    else await db.table('recognition_catalogues').insert({ ...row, created_at: this.now() })
    return db.from('recognition_catalogues').where('code', input.code).firstOrFail()
  }

  async setFee(userId: number, examItemId: number, feeYuan: number) {
    if (!Number.isFinite(feeYuan) || feeYuan < 0)
      throw new DomainRefusal('fee_negative', 'recognition.refusals.fee_negative')
    const item = await db.from('exam_items').where('id', examItemId).first()
    if (!item) throw DomainRefusal.notFound('exam_item')
    await upsert(
      'recognition_fees',
      {
        exam_item_id: examItemId,
        fee_cents: Math.round(feeYuan * 100),
        updated_by_id: userId,
        updated_at: this.now(),
      },
      'exam_item_id'
    )
    return { examItemId, feeCents: Math.round(feeYuan * 100) }
  }

  async catalogues() {
    await activeCatalogues()
    return db.from('recognition_catalogues').orderBy('scope_rank', 'desc').orderBy('code')
  }

  institutions() {
    return db
      .from('institutions')
      .leftJoin(
        'recognition_institutions',
        'recognition_institutions.institution_id',
        'institutions.id'
      )
      .where('institutions.active', true)
      .select(
        'institutions.id',
        'institutions.code',
        'institutions.name',
        'institutions.kind',
        'institutions.level',
        'recognition_institutions.is_public',
        'recognition_institutions.qc_evaluation_passed_on',
        'recognition_institutions.qc_evaluation_valid_until'
      )
      .orderBy('institutions.kind')
      .orderBy('institutions.code')
  }

  evaluations(institutionId: number) {
    return db
      .from('recognition_item_evaluations')
      .join('exam_items', 'exam_items.id', 'recognition_item_evaluations.exam_item_id')
      .where('recognition_item_evaluations.institution_id', institutionId)
      .select(
        'recognition_item_evaluations.*',
        'exam_items.name as item_name',
        'exam_items.catalogue',
        'exam_items.seq'
      )
      .orderBy('exam_items.catalogue')
      .orderBy('exam_items.seq')
  }

  async fees() {
    await activeCatalogues()
    return db
      .from('exam_items')
      .leftJoin('recognition_fees', 'recognition_fees.exam_item_id', 'exam_items.id')
      .join('recognition_catalogues', 'recognition_catalogues.code', 'exam_items.catalogue')
      .where('exam_items.active', true)
      .select(
        'exam_items.id',
        'exam_items.name',
        'exam_items.catalogue',
        'exam_items.seq',
        'recognition_fees.fee_cents'
      )
      .orderBy('exam_items.catalogue')
      .orderBy('exam_items.seq')
  }
}

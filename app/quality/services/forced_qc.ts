import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { insertIgnore } from '#app/platform/db_helpers'
import { FORCED_ITEMS } from '#app/quality/services/scoring'
import {
  DEFAULT_RATE_PERCENT,
  isSampled,
  rateRefusal,
  ruleFor,
  type SamplingRule,
} from '#app/quality/services/sampling'

/*
| Random (forced) QC (Q 7.2.1): the sampling rule marks an exam the first time
| anyone asks (the report's submission, the reviewer's page, the signature),
| and the mark is kept, so a rule changed later does not unmark what a
| reviewer was already asked to score. A signature on a marked exam is refused
| until its image items are scored (app/reading's sign-off asks here).
*/

export interface Mark {
  marked: boolean
  ratePercent: number
  ruleId: number | null
}

export async function samplingRules(): Promise<SamplingRule[]> {
  const rows = await db.from('qc_sampling_rules').where('active', true)
  return rows.map((r: any) => ({
    id: Number(r.id),
    modality: r.modality,
    institutionId: r.institution_id ? Number(r.institution_id) : null,
    readerId: r.reader_id ? Number(r.reader_id) : null,
    ratePercent: Number(r.rate_percent),
    seed: r.seed,
  }))
}

/*
| The rules a mark is decided with, kept in memory for a few seconds: deciding a
| mark at signing read them on every signature (docs/performance.md). A change on
| this node is seen at once (save and retire forget them); another node sees it
| within RULES_TTL_MS. Marks already decided never change (see above). Under the
| test runner nothing is kept, since each test's rules are rolled back with it.
*/
const RULES_TTL_MS = 10_000
let cachedRules: { rules: Promise<SamplingRule[]>; until: number } | null = null

export function forgetSamplingRules() {
  cachedRules = null
}

function currentRules() {
  if (process.env.NODE_ENV === 'test') return samplingRules()
  const now = Date.now()
  if (!cachedRules || cachedRules.until <= now) {
    const rules = samplingRules()
    cachedRules = { rules, until: now + RULES_TTL_MS }
    // A failed read is not kept.
    rules.catch(() => {
      if (cachedRules?.rules === rules) cachedRules = null
    })
  }
  return cachedRules.rules
}

/**
 * The rate when no rule matches: 5 % (Q 7.2.1's usual sampling). Under the test
 * runner it is 0, so the suites of other capabilities, which sign exams by the
 * hundred, are not drawn at random; quality's own tests set their rules.
 */
export function defaultRatePercent() {
  return process.env.NODE_ENV === 'test' ? 0 : DEFAULT_RATE_PERCENT
}

const asMark = (row: any): Mark => ({
  marked: Boolean(row.marked),
  ratePercent: Number(row.rate_percent),
  ruleId: row.rule_id === null || row.rule_id === undefined ? null : Number(row.rule_id),
})

/** Inserts the mark unless one is kept; true when this insert is the one kept (MySQL/MariaDB say so at once). */
async function keepMark(row: Record<string, any>) {
  const client = db.connection()
  if (client.dialect.name === 'mysql') {
    const [result] = await client.rawQuery(
      'INSERT IGNORE INTO qc_marks (exam_id, rule_id, rate_percent, seed, marked, decided_at) VALUES (?, ?, ?, ?, ?, ?)',
      [row.exam_id, row.rule_id, row.rate_percent, row.seed, row.marked, row.decided_at]
    )
    return Number(result?.affectedRows) === 1
  }
  await insertIgnore('qc_marks', row, 'exam_id')
  return false
}

/** The exam's mark: decided once, from the rule for its modality, clinic and reader (the report's author). */
export async function markFor(
  exam: { id: number; modality: string; institutionId: number },
  readerId: number | null,
  now: DateTime
): Promise<Mark> {
  const kept = await db.from('qc_marks').where('exam_id', exam.id).first()
  if (kept) return asMark(kept)
  return decideMark(exam, readerId, now)
}

async function decideMark(
  exam: { id: number; modality: string; institutionId: number },
  readerId: number | null,
  now: DateTime
): Promise<Mark> {
  const rule = ruleFor(
    await currentRules(),
    { modality: exam.modality, institutionId: exam.institutionId, readerId },
    defaultRatePercent()
  )
  const marked = isSampled(rule, exam.id)
  const row = {
    exam_id: exam.id,
    rule_id: rule.id,
    rate_percent: rule.ratePercent,
    seed: rule.seed,
    marked,
    decided_at: sqlTime(now),
  }
  if (await keepMark(row)) return { marked, ratePercent: rule.ratePercent, ruleId: rule.id }
  // Whoever inserted first decided; read back what is kept.
  return asMark(await db.from('qc_marks').where('exam_id', exam.id).firstOrFail())
}

/** The forced items still without a score on this exam. */
export async function missingForcedItems(examId: number) {
  const done = await db
    .from('qc_scores')
    .where('exam_id', examId)
    .whereIn('item', FORCED_ITEMS)
    .distinct('item')
  const have = new Set(done.map((r: any) => r.item))
  return FORCED_ITEMS.filter((item) => !have.has(item))
}

/**
 * What the sign-off asks before it signs: null, or the refusal that says the
 * exam was drawn for QC and its image items must be scored first. The usual
 * case (the mark decided when the reviewer opened the exam) is one indexed
 * query: the kept mark with the number of forced items already scored.
 */
export async function forcedQcRefusal(
  exam: { id: number; modality: string; institutionId: number },
  readerId: number | null,
  now: DateTime
) {
  const kept = await db
    .from('qc_marks')
    .where('qc_marks.exam_id', exam.id)
    .select('qc_marks.marked')
    .select(
      db
        .from('qc_scores')
        .whereColumn('qc_scores.exam_id', 'qc_marks.exam_id')
        .whereIn('qc_scores.item', FORCED_ITEMS)
        .countDistinct('qc_scores.item')
        .as('done')
    )
    .first()
  const marked = kept ? Boolean(kept.marked) : (await decideMark(exam, readerId, now)).marked
  if (!marked) return null
  if (kept && Number(kept.done) >= FORCED_ITEMS.length) return null
  const missing = await missingForcedItems(exam.id)
  if (!missing.length) return null
  return new DomainRefusal(
    'qc_required',
    'quality.refusals.qc_required',
    { examId: exam.id, items: missing.join(',') },
    409
  )
}

export interface RuleInput {
  modality?: string | null
  institutionId?: number | null
  readerId?: number | null
  ratePercent: number
  seed?: string | null
}

export async function saveSamplingRule(input: RuleInput, by: number, now: DateTime, id?: number) {
  const refusal = rateRefusal(input.ratePercent)
  if (refusal) throw new DomainRefusal(refusal, `quality.refusals.${refusal}`, {}, 422)
  const row = {
    modality: input.modality || null,
    institution_id: input.institutionId || null,
    reader_id: input.readerId || null,
    rate_percent: input.ratePercent,
    seed:
      input.seed?.trim() ||
      `qc-${now.toFormat('yyyyLLdd')}-${Math.random().toString(36).slice(2, 8)}`,
    active: true,
    updated_by_id: by,
    updated_at: sqlTime(now),
  }
  if (id) {
    const updated = await db.from('qc_sampling_rules').where('id', id).update(row)
    forgetSamplingRules()
    if (!Number(updated)) throw DomainRefusal.notFound('sampling_rule')
    return id
  }
  const [created] = await db.table('qc_sampling_rules').insert({ ...row, created_at: sqlTime(now) })
  forgetSamplingRules()
  return Number(created)
}

export async function retireSamplingRule(id: number, by: number, now: DateTime) {
  const updated = await db
    .from('qc_sampling_rules')
    .where('id', id)
    .where('active', true)
    .update({ active: false, updated_by_id: by, updated_at: sqlTime(now) })
  forgetSamplingRules()
  if (!Number(updated)) throw DomainRefusal.notFound('sampling_rule')
}

import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { ResultMark } from '#app/platform/result_marks'
import { insertIgnore, sqlTime } from '#app/platform/db_helpers'
import {
  type CatalogueFacts,
  type InstitutionFacts,
  type ItemEvaluationFacts,
  type SuspensionFacts,
  hospitalDay,
  institutionQualifies,
  itemEvaluationInForce,
  itemKey,
  receiverAccepts,
  suspendedAt,
  widestMark,
} from '#app/recognition/services/recognition_rules'

/*
| Eligibility as the database holds it: which institutions and which of their
| items are recognised, and the mark a result earns. Loads the facts for many
| results in a few grouped queries and asks recognition_rules.
*/

function toDate(value: unknown): string | null {
  if (!value) return null
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: 'utc' }).toISODate()
  return String(value).slice(0, 10)
}

export function toDateTime(value: unknown): DateTime {
  if (value instanceof Date) return DateTime.fromJSDate(value, { zone: 'utc' })
  if (DateTime.isDateTime(value)) return value.toUTC()
  return DateTime.fromSQL(String(value), { zone: 'utc' })
}

export interface ItemRow {
  id: number
  catalogue: string
  modality: string
  bodyPart: string
  method: string
  position: string | null
}

/**
 * The two catalogues already imported (app/catalogue), in force until the administrator says otherwise.
 * R 6.4 prints 川渝HR; H names no mark of its own, so the Guangxi scheme it follows (桂卫医发〔2023〕10号)
 * is marked 桂HR until the administrator changes it.
 */
export const DEFAULT_CATALOGUES = [
  {
    code: 'chuanyu',
    name: '川渝数字医学影像检查结果互认',
    mark: '川渝HR',
    scope_rank: 30,
    min_level: '二级乙等',
    requires_public: true,
  },
  {
    code: 'hechi',
    name: '广西医学影像检查结果互认（河池）',
    mark: '桂HR',
    scope_rank: 20,
    min_level: '二级甲等',
    requires_public: false,
  },
]

/** On a fresh database the defaults are written once (a catalogue the administrator switched off stays off). */
export async function ensureDefaultCatalogues() {
  const now = sqlTime(DateTime.utc())
  for (const catalogue of DEFAULT_CATALOGUES) {
    await insertIgnore(
      'recognition_catalogues',
      { ...catalogue, active: true, created_at: now, updated_at: now },
      'code'
    )
  }
}

export async function activeCatalogues(): Promise<Map<string, CatalogueFacts>> {
  if (!(await db.from('recognition_catalogues').first())) await ensureDefaultCatalogues()
  const rows = await db.from('recognition_catalogues').where('active', true)
  return new Map(
    rows.map((r) => [
      r.code,
      {
        code: r.code,
        name: r.name,
        mark: r.mark,
        scopeRank: Number(r.scope_rank),
        minLevel: r.min_level,
        requiresPublic: !!r.requires_public,
      },
    ])
  )
}

export async function institutionFacts(ids: number[]): Promise<Map<number, InstitutionFacts>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .from('institutions')
    .leftJoin(
      'recognition_institutions',
      'recognition_institutions.institution_id',
      'institutions.id'
    )
    .whereIn('institutions.id', [...new Set(ids)])
    .select(
      'institutions.id',
      'institutions.name',
      'institutions.kind',
      'institutions.level',
      'recognition_institutions.is_public',
      'recognition_institutions.qc_evaluation_passed_on',
      'recognition_institutions.qc_evaluation_valid_until'
    )
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        name: r.name,
        kind: r.kind,
        level: r.level,
        // an institution nobody said otherwise of is taken as public (county hospitals and township centres are)
        isPublic: r.is_public === null || r.is_public === undefined ? true : !!r.is_public,
        qcEvaluationPassedOn: toDate(r.qc_evaluation_passed_on),
        qcEvaluationValidUntil: toDate(r.qc_evaluation_valid_until),
      },
    ])
  )
}

/** Items by id, and every item of a catalogue in force that names the same thing (R 7.2), keyed by item key. */
export async function equivalentItems(itemIds: number[], catalogues: Map<string, CatalogueFacts>) {
  const items: ItemRow[] = itemIds.length
    ? (
        await db
          .from('exam_items')
          .whereIn('id', [...new Set(itemIds)])
          .select('id', 'catalogue', 'modality', 'body_part', 'method', 'position')
      ).map(itemRow)
    : []
  const byKey = new Map<string, ItemRow[]>()
  const bodyParts = [...new Set(items.map((i) => i.bodyPart))]
  if (bodyParts.length && catalogues.size) {
    const rows = await db
      .from('exam_items')
      .whereIn('body_part', bodyParts)
      .whereIn('catalogue', [...catalogues.keys()])
      .select('id', 'catalogue', 'modality', 'body_part', 'method', 'position')
    for (const row of rows.map(itemRow))
      byKey.set(itemKey(row), [...(byKey.get(itemKey(row)) ?? []), row])
  }
  return { items: new Map(items.map((i) => [i.id, i])), byKey }
}

function itemRow(r: any): ItemRow {
  return {
    id: Number(r.id),
    catalogue: r.catalogue,
    modality: r.modality,
    bodyPart: r.body_part,
    method: r.method,
    position: r.position,
  }
}

export async function itemEvaluations(institutionIds: number[], itemIds: number[]) {
  const map = new Map<string, ItemEvaluationFacts>()
  if (!institutionIds.length || !itemIds.length) return map
  const rows = await db
    .from('recognition_item_evaluations')
    .whereIn('institution_id', [...new Set(institutionIds)])
    .whereIn('exam_item_id', [...new Set(itemIds)])
  for (const r of rows)
    map.set(`${r.institution_id}:${r.exam_item_id}`, {
      passed: !!r.passed,
      evaluatedOn: toDate(r.evaluated_on)!,
      validUntil: toDate(r.valid_until),
    })
  return map
}

export async function suspensionsOf(institutionIds: number[]) {
  const map = new Map<number, SuspensionFacts[]>()
  if (!institutionIds.length) return map
  const rows = await db
    .from('recognition_suspensions')
    .whereIn('institution_id', [...new Set(institutionIds)])
  for (const r of rows) {
    const list = map.get(Number(r.institution_id)) ?? []
    list.push({
      modality: r.modality,
      suspendedAt: toDateTime(r.suspended_at),
      liftedAt: r.lifted_at ? toDateTime(r.lifted_at) : null,
    })
    map.set(Number(r.institution_id), list)
  }
  return map
}

/** One result to judge: who performed it, when, which items. */
export interface ResultToJudge {
  performerId: number
  modality: string
  performedAt: DateTime
  itemIds: number[]
}

/** The facts for a batch of results, loaded once. */
export class EligibilityFacts {
  private constructor(
    public catalogues: Map<string, CatalogueFacts>,
    public institutions: Map<number, InstitutionFacts>,
    public items: Map<number, ItemRow>,
    public byKey: Map<string, ItemRow[]>,
    public evaluations: Map<string, ItemEvaluationFacts>,
    public suspensions: Map<number, SuspensionFacts[]>
  ) {}

  static async load(results: ResultToJudge[], moreInstitutionIds: number[] = []) {
    const catalogues = await activeCatalogues()
    const performerIds = results.map((r) => r.performerId)
    const { items, byKey } = await equivalentItems(
      results.flatMap((r) => r.itemIds),
      catalogues
    )
    const allItemIds = [
      ...new Set([...items.keys(), ...[...byKey.values()].flat().map((i) => i.id)]),
    ]
    return new EligibilityFacts(
      catalogues,
      await institutionFacts([...performerIds, ...moreInstitutionIds]),
      items,
      byKey,
      await itemEvaluations(performerIds, allItemIds),
      await suspensionsOf(performerIds)
    )
  }

  /**
   * The catalogues under which the performer's result of this item is recognisable (R 6.4, R 9.1): the same
   * item in a catalogue in force, evaluated and passed at the performer on the result's day, not suspended.
   */
  recognisedUnder(result: ResultToJudge, itemId: number): CatalogueFacts[] {
    const item = this.items.get(itemId)
    if (!item) return []
    if (
      suspendedAt(this.suspensions.get(result.performerId) ?? [], item.modality, result.performedAt)
    )
      return []
    const day = hospitalDay(result.performedAt)
    const found: CatalogueFacts[] = []
    for (const equivalent of this.byKey.get(itemKey(item)) ?? []) {
      const catalogue = this.catalogues.get(equivalent.catalogue)
      if (!catalogue) continue
      if (
        !itemEvaluationInForce(this.evaluations.get(`${result.performerId}:${equivalent.id}`), day)
      )
        continue
      if (!found.some((c) => c.code === catalogue.code)) found.push(catalogue)
    }
    return found
  }

  /** R 6.4, B: the mark a result carries: its institution in a catalogue's scope, the item recognised; widest wins. */
  markOf(result: ResultToJudge): CatalogueFacts | null {
    const performer = this.institutions.get(result.performerId)
    if (!performer) return null
    const day = hospitalDay(result.performedAt)
    const candidates = result.itemIds
      .flatMap((id) => this.recognisedUnder(result, id))
      .filter((c) => institutionQualifies(performer, c, day))
    return widestMark(candidates)
  }

  /** R 6.2, R 6.5: may the receiver accept this result of this item instead of examining again? */
  acceptedBy(receiverId: number, result: ResultToJudge, itemId: number) {
    const receiver = this.institutions.get(receiverId)
    const performer = this.institutions.get(result.performerId)
    if (!receiver || !performer) return null
    const day = hospitalDay(result.performedAt)
    return widestMark(
      this.recognisedUnder(result, itemId).filter((c) =>
        receiverAccepts(receiver, performer, c, day)
      )
    )
  }
}

/** The exams as results to judge: performed when their images arrived (or when registered, before any). */
export async function examsAsResults(examIds: number[]) {
  if (!examIds.length) return new Map<number, ResultToJudge>()
  const exams = await db
    .from('exams')
    .whereIn('id', examIds)
    .select('id', 'institution_id', 'modality', 'registered_at', 'images_received_at')
  const links = await db
    .from('exam_exam_items')
    .whereIn('exam_id', examIds)
    .select('exam_id', 'exam_item_id')
  const map = new Map<number, ResultToJudge>()
  for (const e of exams) {
    map.set(Number(e.id), {
      performerId: Number(e.institution_id),
      modality: e.modality,
      performedAt: toDateTime(e.images_received_at ?? e.registered_at),
      itemIds: links
        .filter((l) => Number(l.exam_id) === Number(e.id))
        .map((l) => Number(l.exam_item_id)),
    })
  }
  return map
}

/** The result-mark provider (app/platform/result_marks.ts): the PDF, the viewer and FHIR ask this. */
export async function marksForExams(examIds: number[]): Promise<Map<number, ResultMark>> {
  const results = await examsAsResults(examIds)
  const facts = await EligibilityFacts.load([...results.values()])
  const marks = new Map<number, ResultMark>()
  for (const [examId, result] of results) {
    const catalogue = facts.markOf(result)
    if (catalogue) marks.set(examId, { code: catalogue.mark, catalogue: catalogue.name })
  }
  return marks
}

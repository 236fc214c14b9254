import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { parseCsv } from '#app/platform/csv'
import { isDuplicateKey, sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { QC_ITEMS, deductionRule, parseRule, type QcItem } from '#app/quality/services/scoring'

/*
| The QC checklists of Q appendix A, versioned. Version 1 of each item is made
| from database/data/qc-checklists.csv the first time it is needed; a QC
| administrator's edit makes a new version (the old one stays, and every
| score keeps the version it was made with).
*/

export type EntryKind = 'finding' | 'severe' | 'criterion'

export interface ChecklistEntry {
  id: number
  kind: EntryKind
  no: number
  text: string
}

export interface Checklist {
  id: number
  item: QcItem
  version: number
  rule: string
  active: boolean
  entries: ChecklistEntry[]
}

interface CsvEntry {
  kind: EntryKind
  no: number
  text: string
}

function csvChecklists() {
  const rows = parseCsv(readFileSync(app.makePath('database/data/qc-checklists.csv'), 'utf8'))
  const byItem = new Map<QcItem, { rule: string; entries: CsvEntry[] }>()
  for (const row of rows) {
    const item = row.item as QcItem
    if (!QC_ITEMS.includes(item)) continue
    const current = byItem.get(item) ?? { rule: '', entries: [] }
    // The counted rule (criteria) is the item's rule; the severe row's "any severe finding scores 1" is scoreItem's own.
    if (row.rule && (row.kind === 'criterion' || row.kind === 'finding'))
      current.rule = row.rule.trim()
    current.entries.push({ kind: row.kind as EntryKind, no: Number(row.no), text: row.text_zh })
    byItem.set(item, current)
  }
  return byItem
}

let seeding: Promise<void> | null = null

/** Version 1 of every item from the CSV, once (concurrent callers share one run; another node's run wins a duplicate key). */
export function seedChecklists(now: DateTime, client: QueryClientContract = db.connection()) {
  if (!seeding) {
    seeding = seedOnce(now, client)
      .catch((error) => {
        if (!isDuplicateKey(error)) throw error
      })
      .finally(() => {
        seeding = null
      })
  }
  return seeding
}

async function seedOnce(now: DateTime, client: QueryClientContract) {
  const existing = new Set(
    (await client.from('qc_checklists').distinct('item')).map((r: any) => r.item)
  )
  if (existing.size === QC_ITEMS.length) return
  for (const [item, { rule, entries }] of csvChecklists()) {
    if (existing.has(item)) continue
    await insertVersion(client, item, 1, rule, entries, null, now)
  }
  const roles = await client.from('qc_role_items').count('* as n').first()
  if (Number(roles?.n ?? 0) === 0)
    await client.table('qc_role_items').multiInsert(DEFAULT_ROLE_ITEMS)
}

/*
| Graded QC (Q 7.2.2): which role scores which items. By default reading
| doctors score the application form and the images (in forced and active QC)
| and the report; QC officers score everything, the review too.
*/
const DEFAULT_ROLE_ITEMS = [
  ...(
    [
      'application_form',
      'image_quality',
      'film_layout',
      'reconstruction_3d',
      'report_quality',
    ] as const
  ).map((item) => ({ role: 'radiologist', item })),
  ...QC_ITEMS.map((item) => ({ role: 'qc_officer', item })),
]

async function insertVersion(
  client: QueryClientContract,
  item: QcItem,
  version: number,
  rule: string,
  entries: CsvEntry[],
  by: number | null,
  now: DateTime
) {
  parseRule(rule)
  const [id] = await client
    .table('qc_checklists')
    .insert({ item, version, rule, active: true, created_by_id: by, created_at: sqlTime(now) })
  await client
    .table('qc_checklist_entries')
    .multiInsert(entries.map((e) => ({ checklist_id: id, kind: e.kind, no: e.no, text: e.text })))
  return Number(id)
}

async function load(rows: any[]): Promise<Checklist[]> {
  if (!rows.length) return []
  const entries = await db
    .from('qc_checklist_entries')
    .whereIn(
      'checklist_id',
      rows.map((r) => r.id)
    )
    .orderBy(['checklist_id', 'kind', 'no'])
  return rows.map((r) => ({
    id: Number(r.id),
    item: r.item,
    version: Number(r.version),
    rule: r.rule,
    active: Boolean(r.active),
    entries: entries
      .filter((e: any) => Number(e.checklist_id) === Number(r.id))
      .map((e: any) => ({ id: Number(e.id), kind: e.kind, no: Number(e.no), text: e.text })),
  }))
}

/** The version each item is scored with now. */
export async function currentChecklists(now: DateTime): Promise<Map<QcItem, Checklist>> {
  await seedChecklists(now)
  const rows = await db.from('qc_checklists').where('active', true).orderBy('item')
  return new Map((await load(rows)).map((c) => [c.item, c]))
}

export async function checklistById(id: number) {
  const [found] = await load(await db.from('qc_checklists').where('id', id))
  return found ?? null
}

export async function checklistVersions(item: QcItem) {
  return db.from('qc_checklists').where('item', item).orderBy('version', 'desc')
}

/**
 * A QC administrator's edit: the texts of the entries (blank ones removed) and
 * any added ones, saved as the item's next version. When the number of
 * criteria changes the rule becomes the deduction rule for the new count.
 */
export async function reviseChecklist(
  item: QcItem,
  entries: CsvEntry[],
  by: number,
  now: DateTime
) {
  const current = (await currentChecklists(now)).get(item)
  if (!current) throw DomainRefusal.notFound('checklist')
  const kept = entries.map((e) => ({ ...e, text: e.text.trim() })).filter((e) => e.text.length > 0)
  const criteria = kept.filter((e) => e.kind === 'criterion').length
  if (item !== 'application_form' && criteria < 1)
    throw new DomainRefusal('no_criteria', 'quality.refusals.no_criteria')
  if (item === 'application_form' && kept.some((e) => e.kind !== 'finding'))
    throw new DomainRefusal('bad_entry_kind', 'quality.refusals.bad_entry_kind')
  const before = current.entries.filter((e) => e.kind === 'criterion').length
  const rule =
    item === 'application_form' || criteria === before ? current.rule : deductionRule(criteria)
  // Numbers follow the order given, per kind.
  const numbered = (['finding', 'severe', 'criterion'] as EntryKind[]).flatMap((kind) =>
    kept.filter((e) => e.kind === kind).map((e, i) => ({ kind, no: i + 1, text: e.text }))
  )
  return db.transaction(async (trx) => {
    const last = await trx.from('qc_checklists').where('item', item).max('version as v').first()
    await trx.from('qc_checklists').where('item', item).update({ active: false })
    const id = await insertVersion(trx, item, Number(last?.v ?? 0) + 1, rule, numbered, by, now)
    return { id, version: Number(last?.v ?? 0) + 1, rule }
  })
}

/** Which items each role may score (graded QC). */
export async function roleItems(now: DateTime) {
  await seedChecklists(now)
  const rows = await db.from('qc_role_items')
  const map = new Map<string, Set<QcItem>>()
  for (const row of rows) {
    if (!map.has(row.role)) map.set(row.role, new Set())
    map.get(row.role)!.add(row.item)
  }
  return map
}

export async function setRoleItems(role: string, items: QcItem[]) {
  await db.transaction(async (trx) => {
    await trx.from('qc_role_items').where('role', role).delete()
    if (items.length)
      await trx.table('qc_role_items').multiInsert(items.map((item) => ({ role, item })))
  })
}

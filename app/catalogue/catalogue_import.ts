import { readFile } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import ExamItem, { type Catalogue, type Modality } from '#models/exam_item'
import { parseCsv } from '#app/platform/csv'
import { normaliseItem } from './catalogue_normaliser.js'

export interface CatalogueSource {
  catalogue: Catalogue
  file: string
  /** column holding the coarse region, when the source has one */
  regionColumn?: string
}

/** The mutual-recognition catalogues in force (R: 川渝 141 items; H: 河池 52 items). */
export const CATALOGUE_SOURCES: CatalogueSource[] = [
  {
    catalogue: 'chuanyu',
    file: 'database/data/chuanyu-recognition-items.csv',
    regionColumn: 'body_part',
  },
  { catalogue: 'hechi', file: 'database/data/hechi-recognition-items.csv' },
]

export interface ImportReport {
  catalogue: Catalogue
  imported: number
  skipped: Array<{ seq: number; reason: string }>
}

/** Loads (or refreshes) a catalogue into exam_items, keyed by catalogue + sequence number. */
export async function importCatalogue(source: CatalogueSource): Promise<ImportReport> {
  const rows = parseCsv(await readFile(app.makePath(source.file), 'utf8'))
  const report: ImportReport = { catalogue: source.catalogue, imported: 0, skipped: [] }
  for (const row of rows) {
    const seq = Number(row.seq)
    const item = normaliseItem(row.modality, row.item_name)
    if (!item) {
      report.skipped.push({ seq, reason: row.note || 'no item name' })
      continue
    }
    await ExamItem.updateOrCreate(
      { catalogue: source.catalogue, seq },
      {
        modality: item.modality,
        region: source.regionColumn ? row[source.regionColumn] || null : null,
        bodyPart: item.bodyPart,
        method: item.method,
        position: item.position,
        name: item.name,
        sourceName: row.item_name,
        techniqueNote: [item.techniqueNote, row.note].filter(Boolean).join('；') || null,
        isContrast: item.isContrast,
      }
    )
    report.imported++
  }
  return report
}

export async function importAllCatalogues() {
  const reports: ImportReport[] = []
  for (const source of CATALOGUE_SOURCES) reports.push(await importCatalogue(source))
  return reports
}

export interface LocalItemInput {
  modality: Modality
  bodyPart: string
  method: string
  position?: string | null
  isContrast?: boolean
}

/** An item of the alliance's own, named by the same four parts as the imported ones (R 7.2). */
export async function addLocalItem(input: LocalItemInput) {
  const last = await db.from('exam_items').where('catalogue', 'local').max('seq as seq').first()
  return ExamItem.create({
    catalogue: 'local',
    seq: Number(last?.seq ?? 0) + 1,
    modality: input.modality,
    region: null,
    bodyPart: input.bodyPart,
    method: input.method,
    position: input.position || null,
    name: [input.modality, input.bodyPart, input.method, input.position].filter(Boolean).join(' '),
    sourceName: [input.bodyPart, input.method, input.position].filter(Boolean).join(''),
    techniqueNote: null,
    isContrast: input.isContrast ?? /增强/.test(input.method),
    active: true,
  })
}

/** The administrator's catalogue list, filtered. */
export function catalogueItems(filters: {
  modality?: string
  catalogue?: string
  search?: string
}) {
  return ExamItem.query()
    .if(filters.modality, (q) => q.where('modality', filters.modality!))
    .if(filters.catalogue, (q) => q.where('catalogue', filters.catalogue!))
    .if(filters.search, (q) =>
      q.where((s) =>
        s
          .where('name', 'like', `%${filters.search}%`)
          .orWhere('source_name', 'like', `%${filters.search}%`)
      )
    )
    .orderBy('catalogue')
    .orderBy('seq')
}

/** An item leaves (or returns to) what clinics may request; it is never deleted (exams keep naming it). */
export async function toggleItem(item: ExamItem) {
  item.active = !item.active
  await item.save()
  return item
}

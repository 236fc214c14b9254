import { normaliseModality } from '#app/catalogue/catalogue_normaliser'
import { readFile } from 'node:fs/promises'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { inject } from '@adonisjs/core'
import StaffingRatioSet from '#models/staffing_ratio_set'
import StaffingRatioRow from '#models/staffing_ratio_row'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { parseCsv } from '#app/platform/csv'
import { DomainRefusal } from '#app/platform/domain_refusal'
import {
  STANDARD_DEFAULTS,
  WORKLOAD_CATEGORIES,
  type RatioRow,
  type RatioSnapshot,
  type WorkloadCategory,
} from './staffing_rules.js'
import { isDuplicateKey } from '#app/platform/db_helpers'

/** C 7.1.1 Table 1 as shipped with the app (copied from the standard). */
export const WORKLOAD_TABLE_CSV = 'database/data/staffing-workload-table.csv'

/** "CT plain (CT 平扫)", "Contrast MRI (增强 MRI)", "DR" → the category. */
export function categoryOfTableLabel(label: string): WorkloadCategory {
  const contrast = /contrast|增强/i.test(label)
  const modality = (label.match(/\b(MRI|MR|CT|DR)\b/i)?.[1] ?? '').toUpperCase()
  const normalised = modality ? normaliseModality(modality) : null
  if (normalised === 'MR') return contrast ? 'mri_contrast' : 'mri_plain'
  if (normalised === 'CT') return contrast ? 'ct_contrast' : 'ct_plain'
  if (normalised === 'DR') return 'dr'
  throw new Error(`unknown Table 1 category "${label}"`)
}

/** Reads Table 1 from its CSV; refuses a table that lacks a category or repeats one. */
export function parseWorkloadTable(text: string): RatioRow[] {
  const rows = parseCsv(text).map((record) => {
    const row: RatioRow = {
      category: categoryOfTableLabel(record.category),
      bodyPartsPerUnit: Number(record.annual_body_parts_per_unit),
      initialReaders: Number(record.initial_readers),
      reviewers: Number(record.reviewing_readers),
      technologists: Number(record.technologists),
      nurses: Number(record.nurses),
    }
    for (const [key, value] of Object.entries(row)) {
      if (key !== 'category' && (!Number.isFinite(value) || (value as number) < 0))
        throw new Error(`Table 1 row "${record.category}": ${key} is not a number`)
    }
    if (row.bodyPartsPerUnit <= 0)
      throw new Error(`Table 1 row "${record.category}": body parts per unit must be positive`)
    return row
  })
  for (const category of WORKLOAD_CATEGORIES) {
    if (rows.filter((r) => r.category === category).length !== 1)
      throw new Error(`Table 1 must have exactly one row for ${category}`)
  }
  return WORKLOAD_CATEGORIES.map((category) => rows.find((r) => r.category === category)!)
}

export interface RatioRevision {
  note: string
  rows: RatioRow[]
  floor: RatioSnapshot['floor']
  titleMix: RatioSnapshot['titleMix']
  memberRule: RatioSnapshot['memberRule']
}

/** The comparable content of a version (what a revision must change). */
function content(snapshot: Pick<RatioSnapshot, 'rows' | 'floor' | 'titleMix' | 'memberRule'>) {
  return JSON.stringify({
    rows: WORKLOAD_CATEGORIES.map((category) => {
      const row = snapshot.rows.find((r) => r.category === category)!
      return [
        row.bodyPartsPerUnit,
        row.initialReaders,
        row.reviewers,
        row.technologists,
        row.nurses,
      ].map((n) => Math.round(Number(n) * 1000))
    }),
    floor: snapshot.floor,
    titleMix: snapshot.titleMix,
    memberRule: snapshot.memberRule,
  })
}

/**
 * The staffing parameters, versioned. The standard is a draft, so administrators
 * may change the ratios; each change is a new version with who, when and why,
 * and the first use seeds version 1 from Table 1 (C 7.1.1).
 */
@inject()
export class StaffingRatios {
  constructor(protected clock: Clock) {}

  static snapshot(set: StaffingRatioSet): RatioSnapshot {
    return {
      id: set.id,
      version: set.version,
      note: set.note,
      createdAt: set.createdAt?.toISO() ?? null,
      rows: WORKLOAD_CATEGORIES.map((category) => {
        const row = set.rows.find((r) => r.category === category)
        if (!row) throw new Error(`ratio set v${set.version} has no row for ${category}`)
        return {
          category,
          bodyPartsPerUnit: row.bodyPartsPerUnit,
          initialReaders: row.initialReaders,
          reviewers: row.reviewers,
          technologists: row.technologists,
          nurses: row.nurses,
        }
      }),
      floor: {
        doctors: set.floorDoctors,
        technologists: set.floorTechnologists,
        nurses: set.floorNurses,
      },
      titleMix: { intermediatePct: set.minIntermediatePct, seniorPct: set.minSeniorPct },
      memberRule: {
        technologistsFirstDevice: set.memberTechnologistsFirstDevice,
        technologistsPerAdditionalDevice: set.memberTechnologistsPerAdditionalDevice,
        nursesPerContrastDevice: set.memberNursesPerContrastDevice,
      },
    }
  }

  /** The version in force; version 1 is seeded from the shipped Table 1 when there is none. */
  async current(): Promise<StaffingRatioSet> {
    const latest = await StaffingRatioSet.query().preload('rows').orderBy('version', 'desc').first()
    if (latest) return latest
    await this.seedFromTable()
    return StaffingRatioSet.query().preload('rows').orderBy('version', 'desc').firstOrFail()
  }

  async currentSnapshot() {
    return StaffingRatios.snapshot(await this.current())
  }

  history() {
    return StaffingRatioSet.query().preload('rows').preload('createdBy').orderBy('version', 'desc')
  }

  async seedFromTable() {
    const rows = parseWorkloadTable(await readFile(app.makePath(WORKLOAD_TABLE_CSV), 'utf8'))
    try {
      await this.insertVersion(
        1,
        {
          note: 'standard' /* C 7.1.1 Table 1, from database/data/staffing-workload-table.csv; shown as "the standard's Table 1" */,
          rows,
          ...STANDARD_DEFAULTS,
        },
        null
      )
    } catch (error) {
      // Two first users at once: the other one seeded it.
      if (!isDuplicateKey(error)) throw error
    }
  }

  /**
   * A new version from an administrator. `baseVersion` is the version their form
   * showed: if someone changed the ratios since (or the form is sent again), the
   * revision is refused rather than silently overwriting what they did not see.
   */
  async revise(user: User, baseVersion: number, revision: RatioRevision) {
    const current = await this.current()
    if (current.version !== baseVersion) {
      throw new DomainRefusal(
        'ratios_changed',
        'staffing.ratios.changed',
        { version: current.version },
        409
      )
    }
    for (const category of WORKLOAD_CATEGORIES) {
      const rows = revision.rows.filter((r) => r.category === category)
      if (rows.length !== 1)
        throw new DomainRefusal('ratios_incomplete', 'staffing.ratios.incomplete')
      if (!(rows[0].bodyPartsPerUnit > 0))
        throw new DomainRefusal('ratios_invalid', 'staffing.ratios.per_unit_positive')
    }
    if (content(revision) === content(StaffingRatios.snapshot(current))) {
      throw new DomainRefusal('ratios_unchanged', 'staffing.ratios.unchanged')
    }
    try {
      return await this.insertVersion(current.version + 1, revision, user.id)
    } catch (error) {
      if (isDuplicateKey(error))
        throw new DomainRefusal(
          'ratios_changed',
          'staffing.ratios.changed',
          { version: current.version + 1 },
          409
        )
      throw error
    }
  }

  protected async insertVersion(
    version: number,
    revision: RatioRevision,
    createdById: number | null
  ) {
    return db.transaction(async (trx) => {
      const set = await StaffingRatioSet.create(
        {
          version,
          note: revision.note,
          floorDoctors: revision.floor.doctors,
          floorTechnologists: revision.floor.technologists,
          floorNurses: revision.floor.nurses,
          minIntermediatePct: revision.titleMix.intermediatePct,
          minSeniorPct: revision.titleMix.seniorPct,
          memberTechnologistsFirstDevice: revision.memberRule.technologistsFirstDevice,
          memberTechnologistsPerAdditionalDevice:
            revision.memberRule.technologistsPerAdditionalDevice,
          memberNursesPerContrastDevice: revision.memberRule.nursesPerContrastDevice,
          createdById,
          createdAt: this.clock.now(),
        },
        { client: trx }
      )
      for (const category of WORKLOAD_CATEGORIES) {
        const row = revision.rows.find((r) => r.category === category)!
        await StaffingRatioRow.create(
          {
            ratioSetId: set.id,
            category,
            bodyPartsPerUnit: row.bodyPartsPerUnit,
            initialReaders: row.initialReaders,
            reviewers: row.reviewers,
            technologists: row.technologists,
            nurses: row.nurses,
          },
          { client: trx }
        )
      }
      return set
    })
  }
}

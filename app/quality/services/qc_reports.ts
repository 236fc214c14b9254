import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { Clock } from '#app/platform/clock'
import { sqlTime } from '#app/platform/db_helpers'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { agreementRate } from '#app/quality/services/follow_ups'
import { QC_ITEMS, type QcItem } from '#app/quality/services/scoring'
import { refusalCounts } from '#app/recognition/services/refusals'
import { workloadBy } from '#app/quality/services/workload_days'

/*
| QC reports (Q 6) for a period, a clinic and a modality: the monthly
| indicators of Q 5.1 (cases sampled, passed, pass rate), the score
| distribution per person × modality with its red zone (Q 6.1), deduction
| details and reason counts (Q 6.2), workload by modality (Q 6.4 图 5/6),
| quality bands (Q 6.4 图 7/8), waste-film and artefact rates per clinic
| and per device (C 9.2.2), the automatic checks' findings, the diagnostic agreement rate, and the
| refusals of recognition per institution × catalogue item (issue 13: they count against the item's QC).
| Counted: random, active and centralised scores (the gold standard's are a
| second opinion on the same exams).
*/

export interface ReportFilter {
  month?: string
  from?: string
  to?: string
  institutionId?: number
  modality?: string
}

const COUNTED = ['random', 'active', 'centralised']
/** Q 6.1's red zone: a person whose fail share exceeds this (or whose average is below a pass). */
export const RED_ZONE_FAIL_SHARE = 0.1
const MAX_DEDUCTION_ROWS = 500

export function periodOf(filter: ReportFilter, now: DateTime) {
  const zone = imaging.displayTimezone
  if (filter.from || filter.to) {
    const from = filter.from
      ? DateTime.fromISO(filter.from, { zone }).startOf('day')
      : now.setZone(zone).startOf('month')
    const to = filter.to
      ? DateTime.fromISO(filter.to, { zone }).startOf('day').plus({ days: 1 })
      : now.setZone(zone).startOf('day').plus({ days: 1 })
    if (!from.isValid || !to.isValid || to <= from)
      throw new DomainRefusal('bad_period', 'common.errors.bad_request')
    if (to.diff(from, 'days').days > 400)
      throw new DomainRefusal('bad_period', 'common.errors.bad_request')
    return { from, to }
  }
  const month = filter.month
    ? DateTime.fromFormat(filter.month, 'yyyy-LL', { zone })
    : now.setZone(zone).startOf('month')
  if (!month.isValid) throw new DomainRefusal('bad_period', 'common.errors.bad_request')
  return { from: month.startOf('month'), to: month.startOf('month').plus({ months: 1 }) }
}

const pct = (n: number, d: number) => (d ? n / d : null)

@inject()
export class QcReports {
  constructor(protected clock: Clock) {}

  protected scores(from: DateTime, to: DateTime, filter: ReportFilter) {
    const q = db
      .from('qc_scores')
      .whereIn('qc_scores.mode', COUNTED)
      .where('qc_scores.scored_at', '>=', sqlTime(from.toUTC()))
      .where('qc_scores.scored_at', '<', sqlTime(to.toUTC()))
    if (filter.institutionId) q.where('qc_scores.institution_id', filter.institutionId)
    if (filter.modality) q.where('qc_scores.modality', filter.modality)
    return q
  }

  async build(filter: ReportFilter) {
    const { from, to } = periodOf(filter, this.clock.now())
    // The report's queries are independent: they run at once on the pool's connections.
    const perItemQuery = Promise.resolve(
      this.scores(from, to, filter).groupBy('item', 'band').select('item', 'band').count('* as n')
    )
    const byPersonQuery = Promise.resolve(
      this.scores(from, to, filter)
        .groupBy('scored_name', 'scored_user_id', 'modality', 'item')
        .select('scored_name', 'scored_user_id', 'modality', 'item')
        .count('* as n')
        .avg('score as average')
        .select(db.raw('SUM(CASE WHEN score = 5 THEN 1 ELSE 0 END) as s5'))
        .select(db.raw('SUM(CASE WHEN score = 4 THEN 1 ELSE 0 END) as s4'))
        .select(db.raw('SUM(CASE WHEN score = 3 THEN 1 ELSE 0 END) as s3'))
        .select(db.raw('SUM(CASE WHEN passed THEN 0 ELSE 1 END) as failed'))
        .orderBy('scored_name')
        .limit(1000)
    )
    const deductedQuery = Promise.resolve(
      this.scores(from, to, filter)
        .where('qc_scores.score', '<', 5)
        .join('exams', 'exams.id', 'qc_scores.exam_id')
        .join('institutions', 'institutions.id', 'qc_scores.institution_id')
        .select(
          'qc_scores.id',
          'qc_scores.item',
          'qc_scores.score',
          'qc_scores.note',
          'qc_scores.scored_name',
          'qc_scores.findings',
          'qc_scores.criteria',
          'qc_scores.checklist_id',
          'qc_scores.scored_at',
          'exams.accession_number',
          'institutions.name as institution'
        )
        .orderBy('qc_scores.scored_at', 'desc')
        .limit(5000)
    )
    const clinicRowsQuery = Promise.resolve(
      this.scores(from, to, filter)
        .where('item', 'image_quality')
        .join('institutions', 'institutions.id', 'qc_scores.institution_id')
        .groupBy('qc_scores.institution_id', 'institutions.name')
        .select('qc_scores.institution_id', 'institutions.name')
        .count('* as n')
        .select(db.raw('SUM(CASE WHEN waste_film THEN 1 ELSE 0 END) as waste'))
        .select(db.raw('SUM(CASE WHEN artefact THEN 1 ELSE 0 END) as artefact'))
        .orderBy('institutions.name')
    )
    const deviceRowsQuery = Promise.resolve(
      this.scores(from, to, filter)
        .where('item', 'image_quality')
        .join('institutions', 'institutions.id', 'qc_scores.institution_id')
        .leftJoin('qc_exam_devices', 'qc_exam_devices.exam_id', 'qc_scores.exam_id')
        .leftJoin('equipment', 'equipment.id', 'qc_exam_devices.equipment_id')
        .groupBy(
          'qc_scores.institution_id',
          'institutions.name',
          'equipment.id',
          'equipment.asset_no',
          'equipment.kind',
          'equipment.model'
        )
        .select(
          'qc_scores.institution_id',
          'institutions.name',
          'equipment.id as equipment_id',
          'equipment.asset_no',
          'equipment.kind',
          'equipment.model'
        )
        .count('* as n')
        .select(db.raw('SUM(CASE WHEN waste_film THEN 1 ELSE 0 END) as waste'))
        .select(db.raw('SUM(CASE WHEN artefact THEN 1 ELSE 0 END) as artefact'))
        .orderBy('institutions.name')
        .orderBy('equipment.asset_no')
    )
    const workloadFilter = {
      from,
      to,
      institutionId: filter.institutionId,
      modality: filter.modality,
    }
    const workloadQuery = Promise.all([
      workloadBy('technologist', workloadFilter),
      workloadBy('doctor', workloadFilter),
    ])
    const findingsQ = db
      .from('qc_findings')
      .join('exams', 'exams.id', 'qc_findings.exam_id')
      .where('qc_findings.found_at', '>=', sqlTime(from.toUTC()))
      .where('qc_findings.found_at', '<', sqlTime(to.toUTC()))
      .groupBy('qc_findings.stage', 'qc_findings.code')
      .select('qc_findings.stage', 'qc_findings.code')
      .count('* as n')
      .orderBy('n', 'desc')
    if (filter.institutionId) findingsQ.where('qc_findings.institution_id', filter.institutionId)
    if (filter.modality) findingsQ.where('exams.modality', filter.modality)
    const findingsQuery = Promise.resolve(findingsQ)
    const agreementQuery = agreementRate(from, to, {
      institutionId: filter.institutionId,
      modality: filter.modality,
    })
    const refusalsQuery = refusalCounts(from.toUTC(), to.toUTC(), {
      institutionId: filter.institutionId,
      modality: filter.modality,
    })

    // One wait for all of them (a failure fails the report once, leaving no promise unobserved).
    const [
      perItem,
      byPerson,
      deducted,
      clinicRows,
      deviceRows,
      workload,
      findingsRows,
      agreement,
      recognitionRefusals,
    ] = await Promise.all([
      perItemQuery,
      byPersonQuery,
      deductedQuery,
      clinicRowsQuery,
      deviceRowsQuery,
      workloadQuery,
      findingsQuery,
      agreementQuery,
      refusalsQuery,
    ])

    // Q 5.1 / Q 6.4: per item, cases sampled and passed, and the bands.
    const items = QC_ITEMS.map((item) => {
      const rows = (perItem as any[]).filter((r) => r.item === item)
      const count = (band: string) => Number(rows.find((r) => r.band === band)?.n ?? 0)
      const sampled = rows.reduce((n, r) => n + Number(r.n), 0)
      const passed =
        item === 'application_form'
          ? count('compliant')
          : count('excellent') + count('good') + count('pass')
      return {
        item,
        sampled,
        passed,
        passRate: pct(passed, sampled),
        bands:
          item === 'application_form'
            ? { compliant: count('compliant'), non_compliant: count('non_compliant') }
            : {
                excellent: count('excellent'),
                good: count('good'),
                pass: count('pass'),
                fail: count('fail'),
              },
      }
    })
    const totals = items.reduce(
      (t, i) => ({ sampled: t.sampled + i.sampled, passed: t.passed + i.passed }),
      { sampled: 0, passed: 0 }
    )

    // Q 6.1: score distribution per person × modality.
    const distribution = (byPerson as any[]).map((r) => {
      const n = Number(r.n)
      const failed = Number(r.failed)
      const average = Number(r.average)
      return {
        person: r.scored_name as string | null,
        userId: r.scored_user_id ? Number(r.scored_user_id) : null,
        modality: r.modality as string,
        item: r.item as QcItem,
        count: n,
        average: Math.round(average * 100) / 100,
        scores: { 5: Number(r.s5), 4: Number(r.s4), 3: Number(r.s3), fail: failed },
        redZone: n > 0 && (failed / n > RED_ZONE_FAIL_SHARE || average < 3),
      }
    })

    // Q 6.2: deduction details and reason counts (everything below 5, with its ticks read against its own checklist version).
    const checklistIds = [...new Set((deducted as any[]).map((d) => Number(d.checklist_id)))]
    const entries = checklistIds.length
      ? await db.from('qc_checklist_entries').whereIn('checklist_id', checklistIds)
      : []
    const entryById = new Map((entries as any[]).map((e) => [Number(e.id), e]))
    const reasons = new Map<
      string,
      { item: string; reason: string; unmet: boolean; count: number }
    >()
    const details = []
    for (const d of deducted as any[]) {
      const ticked: number[] = JSON.parse(d.findings)
      const met = new Set<number>(JSON.parse(d.criteria))
      const notMet = (entries as any[]).filter(
        (e) =>
          Number(e.checklist_id) === Number(d.checklist_id) &&
          e.kind === 'criterion' &&
          !met.has(Number(e.id))
      )
      const why = [
        ...ticked
          .map((id) => entryById.get(id)?.text)
          .filter(Boolean)
          .map((text) => ({ text: text as string, unmet: false })),
        ...notMet.map((e) => ({ text: e.text as string, unmet: true })),
      ]
      for (const { text, unmet } of why) {
        const key = `${d.item}|${unmet}|${text}`
        const current = reasons.get(key) ?? { item: d.item, reason: text, unmet, count: 0 }
        current.count++
        reasons.set(key, current)
      }
      if (details.length < MAX_DEDUCTION_ROWS) {
        details.push({
          accessionNumber: d.accession_number,
          institution: d.institution,
          item: d.item as QcItem,
          score: Number(d.score),
          person: d.scored_name,
          note: d.note,
          reasons: why,
          scoredAt: d.scored_at,
        })
      }
    }

    // Q 6.4 图 5/6: workload by modality, of the exams signed in the period (the technologist picked at
    // upload, else the one DICOM Operators' Name named; the first version's author), from the per-day counts
    // kept at signing (workload_days.ts): a month of all clinics is a few thousand rows, not ~83,000 exams.
    const [technologists, doctors] = workload

    // C 9.2.2: waste-film and artefact rates per clinic.
    const clinics = (clinicRows as any[]).map((r) => ({
      institutionId: Number(r.institution_id),
      name: r.name as string,
      count: Number(r.n),
      waste: Number(r.waste),
      artefact: Number(r.artefact),
      wasteRate: pct(Number(r.waste), Number(r.n)),
      artefactRate: pct(Number(r.artefact), Number(r.n)),
    }))

    // C 9.2.2: and per device of the equipment register (matched at intake; "unknown" when none matched).
    const devices = (deviceRows as any[]).map((r) => ({
      institutionId: Number(r.institution_id),
      institution: r.name as string,
      equipmentId: r.equipment_id ? Number(r.equipment_id) : null,
      assetNo: (r.asset_no as string | null) ?? null,
      kind: (r.kind as string | null) ?? null,
      model: (r.model as string | null) ?? null,
      count: Number(r.n),
      waste: Number(r.waste),
      artefact: Number(r.artefact),
      wasteRate: pct(Number(r.waste), Number(r.n)),
      artefactRate: pct(Number(r.artefact), Number(r.n)),
    }))

    return {
      from,
      to,
      filter,
      totals: { ...totals, passRate: pct(totals.passed, totals.sampled) },
      items,
      distribution,
      details,
      reasons: [...reasons.values()].sort((a, b) => b.count - a.count).slice(0, 50),
      workload: {
        technologists,
        doctors,
      },
      clinics,
      devices,
      findings: (findingsRows as any[]).map((r) => ({
        stage: r.stage,
        code: r.code,
        count: Number(r.n),
      })),
      agreement,
      // issue 13 point 6: refusals of recognition by the receiving side count against the institution × item
      recognitionRefusals,
    }
  }
}

export type QcReport = Awaited<ReturnType<QcReports['build']>>

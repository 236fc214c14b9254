import db from '@adonisjs/lucid/services/db'
import { inject } from '@adonisjs/core'
import i18nManager from '@adonisjs/i18n/services/main'
import type User from '#models/user'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { insertIgnore, sqlTime } from '#app/platform/db_helpers'
import { createPdf, pdfBuffer } from '#app/platform/documents'
import {
  QuarterlyAssessment,
  type QuarterAssessment,
  type IndicatorColumn,
} from '#app/assessments/services/quarterly_assessment'
import { CorrectiveActions } from '#app/assessments/services/corrective_actions'
import { lastClosedQuarter, parseQuarter, type Quarter } from '#app/assessments/services/quarters'

/*
| The alliance QC bulletin (C 9.2.1 在医共体范围内通报质控结果, C 9.3 通报质控数据):
| at the start of each quarter the job drafts the past quarter's bulletin — every
| member's indicators, the ranking, the corrective actions — as a Chinese PDF; a QC
| officer reviews and publishes it; published, it is read-only and every member's
| staff see it on their home page; who opened it is recorded.
*/

export interface BulletinFigures {
  assessment: QuarterAssessment
  actions: Array<{
    clinic_name: string
    problem: string
    owner: string
    due_on: string
    status: string
    overdue: boolean
  }>
}

/** A figure as printed: rates as percentages, others with their unit. */
export function formatFigure(
  t: (key: string, data?: Record<string, unknown>) => string,
  column: Pick<IndicatorColumn, 'unit'>,
  value: number | null | undefined
) {
  if (value === null || value === undefined) return '—'
  if (column.unit === 'rate') return `${(value * 100).toFixed(1)}%`
  if (column.unit === 'minutes') return t('assessments.units.minutes', { n: value })
  if (column.unit === 'days') return t('assessments.units.days', { n: value })
  return String(value)
}

function dayOf(value: Date | string) {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10)
}

@inject()
export class QcBulletins {
  constructor(
    protected clock: Clock,
    protected assessments: QuarterlyAssessment,
    protected actions: CorrectiveActions
  ) {}

  /**
   * The job: drafts the bulletin of the quarter that has just ended, unless it
   * exists. The unique key on the quarter makes a second draft impossible even
   * when two nodes get here (the lease already keeps them apart).
   */
  async draftForLastQuarter() {
    return this.draft(lastClosedQuarter(this.clock.now()))
  }

  async draft(quarter: Quarter): Promise<{ id: number; created: boolean }> {
    const existing = await db.from('qc_bulletins').where('quarter', quarter.key).first()
    if (existing) return { id: existing.id, created: false }
    const figures = await this.figures(quarter)
    const pdf = await this.pdf(figures)
    const inserted = await insertIgnore(
      'qc_bulletins',
      {
        quarter: quarter.key,
        status: 'draft',
        figures: JSON.stringify(figures),
        pdf,
        drafted_at: sqlTime(this.clock.now()),
      },
      'quarter'
    )
    const row = await db.from('qc_bulletins').where('quarter', quarter.key).firstOrFail()
    return { id: row.id, created: Number((inserted as any)?.[0] ?? 0) > 0 }
  }

  protected async figures(quarter: Quarter): Promise<BulletinFigures> {
    const assessment = await this.assessments.forQuarter(quarter)
    const actions = (await this.actions.list({ quarter: quarter.key })).map((a: any) => ({
      clinic_name: a.clinic_name,
      problem: a.problem,
      owner: a.owner,
      due_on: dayOf(a.due_on),
      status: a.status,
      overdue: a.overdue,
    }))
    return { assessment, actions }
  }

  /** A draft is redrawn from the records as they are now (after a correction of the quarter); a published one never. */
  async redraft(id: number) {
    const bulletin = await this.find(id)
    if (!bulletin) throw DomainRefusal.notFound('qc_bulletin')
    if (bulletin.status === 'published')
      throw new DomainRefusal(
        'bulletin_published',
        'assessments.refusals.bulletin_published',
        {},
        409
      )
    const figures = await this.figures(parseQuarter(bulletin.quarter)!)
    const pdf = await this.pdf(figures)
    const updated = await db
      .from('qc_bulletins')
      .where('id', id)
      .where('status', 'draft')
      .update({ figures: JSON.stringify(figures), pdf, drafted_at: sqlTime(this.clock.now()) })
    if (Number(updated) !== 1)
      throw new DomainRefusal(
        'bulletin_published',
        'assessments.refusals.bulletin_published',
        {},
        409
      )
    return id
  }

  async publish(user: User, id: number) {
    const updated = await db
      .from('qc_bulletins')
      .where('id', id)
      .where('status', 'draft')
      .update({
        status: 'published',
        published_at: sqlTime(this.clock.now()),
        published_by_id: user.id,
      })
    if (Number(updated) !== 1) {
      if (!(await this.find(id))) throw DomainRefusal.notFound('qc_bulletin')
      throw new DomainRefusal(
        'bulletin_published',
        'assessments.refusals.bulletin_published',
        {},
        409
      )
    }
    return (await this.find(id))!
  }

  find(id: number) {
    return db
      .from('qc_bulletins')
      .where('id', id)
      .select('id', 'quarter', 'status', 'figures', 'drafted_at', 'published_at', 'published_by_id')
      .first()
  }

  list(onlyPublished: boolean) {
    const q = db
      .from('qc_bulletins')
      .orderBy('quarter', 'desc')
      .select('id', 'quarter', 'status', 'drafted_at', 'published_at')
    if (onlyPublished) q.where('status', 'published')
    return q
  }

  latestPublished() {
    return db
      .from('qc_bulletins')
      .where('status', 'published')
      .orderBy('quarter', 'desc')
      .select('id', 'quarter', 'published_at')
      .first()
  }

  /** The PDF, recording who opened it (first time, last time, how often). */
  async open(user: User, id: number) {
    const row = await db
      .from('qc_bulletins')
      .where('id', id)
      .select('id', 'quarter', 'status', 'pdf')
      .first()
    if (!row) throw DomainRefusal.notFound('qc_bulletin')
    const now = sqlTime(this.clock.now())
    await db
      .knexQuery()
      .table('qc_bulletin_openings')
      .insert({
        qc_bulletin_id: id,
        user_id: user.id,
        institution_id: user.institutionId,
        first_opened_at: now,
        last_opened_at: now,
        times: 1,
      })
      .onConflict(['qc_bulletin_id', 'user_id'])
      .merge({ last_opened_at: now, times: db.knexRawQuery('times + 1') as any })
    return row
  }

  openings(id: number) {
    return db
      .from('qc_bulletin_openings as o')
      .join('users as u', 'u.id', 'o.user_id')
      .join('institutions as i', 'i.id', 'o.institution_id')
      .where('o.qc_bulletin_id', id)
      .orderBy('o.first_opened_at')
      .select('o.*', 'u.full_name', 'i.name as clinic_name')
  }

  /** The bulletin as a PDF in Chinese: the ranking with a bar chart of the totals, every indicator per member, the actions. */
  async pdf(figures: BulletinFigures): Promise<Buffer> {
    const i18n = i18nManager.locale('zh-CN')
    const t = (key: string, data?: Record<string, unknown>) => i18n.t(key, data)
    const { assessment } = figures
    const doc = createPdf({
      info: { Title: t('assessments.bulletin.pdf_title', { quarter: assessment.quarter }) },
    })
    const left = doc.page.margins.left
    const width = doc.page.width - left - doc.page.margins.right

    doc.fontSize(18).text(t('assessments.bulletin.pdf_title', { quarter: assessment.quarter }), {
      align: 'center',
    })
    doc.moveDown(0.3)
    doc
      .fontSize(9)
      .fillColor('#555555')
      .text(t('assessments.bulletin.pdf_subtitle', { version: assessment.weightSetVersion }), {
        align: 'center',
      })
      .fillColor('#000000')
    doc.moveDown()

    // The ranking, with a bar per member.
    doc.fontSize(13).text(t('assessments.bulletin.ranking'))
    doc.moveDown(0.4)
    const barLeft = left + 190
    const barWidth = width - 250
    for (const clinic of assessment.clinics) {
      const y = doc.y
      doc.fontSize(10).text(`${clinic.rank ?? '—'}. ${clinic.clinicName}`, left, y, { width: 185 })
      const total = clinic.total ?? 0
      doc
        .rect(barLeft, y + 1, Math.max(1, (barWidth * total) / 100), 9)
        .fill('#2f6fb0')
        .fillColor('#000000')
      doc
        .fontSize(10)
        .text(clinic.total === null ? '—' : clinic.total.toFixed(1), barLeft + barWidth + 8, y, {
          width: 50,
        })
      doc.y = y + 16
    }
    doc.moveDown()

    // Every indicator, one table row per indicator and member.
    doc.fontSize(13).text(t('assessments.bulletin.indicators'), left, doc.y)
    doc.moveDown(0.4)
    for (const column of assessment.indicators) {
      if (doc.y > doc.page.height - 120) doc.addPage()
      const label = t(column.labelKey)
      const weight = column.weight
        ? t('assessments.bulletin.weight', { weight: column.weight })
        : ''
      doc.fontSize(11).text(`${label}${weight}`, left, doc.y)
      if (!column.registered) {
        doc
          .fontSize(9.5)
          .fillColor('#777777')
          .text(t('assessments.not_recorded_yet'), left + 12)
          .fillColor('#000000')
        doc.moveDown(0.3)
        continue
      }
      for (const clinic of assessment.clinics) {
        const value = clinic.values[column.key]
        const y = doc.y
        doc.fontSize(9.5).text(clinic.clinicName, left + 12, y, { width: 200 })
        doc.text(formatFigure(t, column, value?.value), left + 220, y, { width: 100 })
        if (value?.denominator !== undefined)
          doc
            .fillColor('#777777')
            .text(`${value.numerator ?? 0} / ${value.denominator}`, left + 330, y, { width: 120 })
            .fillColor('#000000')
        doc.y = y + 13
      }
      doc.moveDown(0.3)
    }

    // The corrective actions (C 9.2.1 闭环).
    if (doc.y > doc.page.height - 150) doc.addPage()
    doc.moveDown()
    doc.fontSize(13).text(t('assessments.bulletin.actions'), left, doc.y)
    doc.moveDown(0.4)
    if (figures.actions.length === 0)
      doc.fontSize(10).text(t('assessments.bulletin.no_actions'), left)
    for (const action of figures.actions) {
      if (doc.y > doc.page.height - 80) doc.addPage()
      const state =
        action.status === 'closed'
          ? t('assessments.actions.closed')
          : action.overdue
            ? t('assessments.actions.overdue')
            : t('assessments.actions.open')
      doc
        .fontSize(10)
        .text(
          `${action.clinic_name} · ${action.problem} · ${t('assessments.actions.owner')}：${action.owner} · ${action.due_on} · ${state}`,
          left,
          doc.y,
          { width }
        )
      doc.moveDown(0.2)
    }
    return pdfBuffer(doc)
  }
}

import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import Exam from '#models/exam'
import Institution, { type Specialty } from '#models/institution'
import type User from '#models/user'
import ReportVersion from '#models/report_version'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { audit } from '#app/platform/audit/audit_log'
import { insertIgnore, sqlTime } from '#app/platform/db_helpers'
import { realtime } from '#app/realtime/realtime'
import ShareRule from '#app/consultation/models/share_rule'
import ExamShare, { type ShareReason } from '#app/consultation/models/exam_share'

/*
| C 9.4: the imaging centre shares images and reports quickly with the
| chest-pain, stroke and trauma centres. Each centre has rules; an exam that
| matches one is shared the moment its images arrive (and when a critical
| value is raised on it), and its report again when it is signed. A share is a
| row first (exam × centre, once), then a live notice to the centre: a missed
| event is caught up by the job from the exams themselves.
*/

/** What each kind of centre gets unless the administrator changes it. */
export const DEFAULT_RULES: Record<Specialty, Omit<ShareRuleInput, 'centreId'>> = {
  // Stroke: head CT / CTA of any clinic when the request says 卒中 or a stroke-type critical value is raised.
  stroke: {
    name: '头颅 CT/CTA · 卒中',
    modalities: ['CT'],
    bodyParts: ['头', '颅', '脑'],
    requestKeywords: ['卒中', '脑梗', '偏瘫', '肢体无力', '言语不清'],
    criticalCodes: ['ICH', 'INFARCT_MASS', 'HERNIATION'],
    onEmergency: false,
  },
  // Chest pain: chest CT / CTA (ECG-gated coronary CTA included) when the request says chest pain or a chest emergency is raised.
  chest_pain: {
    name: '胸部 CT/CTA · 胸痛',
    modalities: ['CT'],
    bodyParts: ['胸', '冠状动脉', '主动脉', '肺动脉'],
    requestKeywords: ['胸痛', '心电门控', '胸闷', '心梗'],
    criticalCodes: ['AORTIC_DISSECTION', 'AORTIC_RUPTURE', 'PE', 'TAMPONADE'],
    onEmergency: false,
  },
  // Trauma: every emergency exam (and any that says 外伤/创伤).
  trauma: {
    name: '急诊 · 创伤',
    modalities: [],
    bodyParts: [],
    requestKeywords: ['外伤', '创伤', '车祸', '坠落'],
    criticalCodes: ['ORGAN_RUPTURE', 'SPINE_UNSTABLE', 'FLAIL_CHEST'],
    onEmergency: true,
  },
}

export interface ShareRuleInput {
  centreId: number
  name: string
  modalities: string[]
  bodyParts: string[]
  requestKeywords: string[]
  criticalCodes: string[]
  onEmergency: boolean
}

interface ExamFacts {
  modality: string
  priority: string
  itemNames: string[]
  requestText: string
  criticalCodes: string[]
}

/** The reason this rule shares this exam, or null. A plain function: the unit of the rule. */
export function shareReason(
  rule: Pick<
    ShareRule,
    'modalities' | 'bodyParts' | 'requestKeywords' | 'criticalCodes' | 'onEmergency'
  >,
  exam: ExamFacts
): ShareReason | null {
  if (rule.modalities.length && !rule.modalities.includes(exam.modality)) return null
  if (
    rule.bodyParts.length &&
    !exam.itemNames.some((name) => rule.bodyParts.some((part) => name.includes(part)))
  )
    return null
  const hasTrigger = rule.requestKeywords.length || rule.criticalCodes.length || rule.onEmergency
  if (!hasTrigger) return 'match'
  if (exam.criticalCodes.some((code) => rule.criticalCodes.includes(code))) return 'critical_value'
  if (rule.requestKeywords.some((word) => exam.requestText.includes(word))) return 'request_keyword'
  if (rule.onEmergency && exam.priority === 'emergency') return 'emergency'
  return null
}

@inject()
export class SpecialtySharing {
  constructor(protected clock: Clock) {}

  /** A rule for a centre; a rule that would send a clinic's exams to anyone but a specialty centre is refused. */
  async createRule(actor: User | null, input: ShareRuleInput) {
    const centre = await Institution.find(input.centreId)
    if (!centre || centre.kind !== 'specialty_centre' || !centre.active)
      throw new DomainRefusal(
        'not_specialty_centre',
        'consultation.sharing.errors.not_specialty_centre',
        {},
        422
      )
    return ShareRule.create({ ...input, active: true, createdById: actor?.id ?? null })
  }

  /** The default rule of each active specialty centre that has none yet (set-up and demo). */
  async ensureDefaultRules() {
    const centres = await Institution.query()
      .where('kind', 'specialty_centre')
      .where('active', true)
    for (const centre of centres) {
      if (!centre.specialty) continue
      if (await ShareRule.query().where('centre_id', centre.id).first()) continue
      await this.createRule(null, { centreId: centre.id, ...DEFAULT_RULES[centre.specialty] })
    }
  }

  protected async factsOf(exam: Exam): Promise<ExamFacts> {
    await exam.load('items')
    const codes = await db
      .from('critical_values')
      .join('critical_findings', 'critical_findings.id', 'critical_values.finding_id')
      .where('critical_values.exam_id', exam.id)
      .whereNot('critical_values.status', 'withdrawn')
      .select('critical_findings.code')
    return {
      modality: exam.modality,
      priority: exam.priority,
      itemNames: exam.items.map((i) => i.name),
      requestText: [exam.clinicalHistory, exam.purpose, exam.clinicalDiagnosis ?? ''].join(' '),
      criticalCodes: codes.map((r: any) => String(r.code)),
    }
  }

  /** Images arrived or a critical value was raised: share with every centre whose rule matches (once per centre). */
  async shareExam(examId: number, now: DateTime = this.clock.now()) {
    const exam = await Exam.find(examId)
    if (!exam || !exam.imagesReceivedAt) return []
    const rules = await ShareRule.query()
      .where('active', true)
      .whereHas('centre', (q) => q.where('kind', 'specialty_centre').where('active', true))
    if (!rules.length) return []
    const facts = await this.factsOf(exam)
    const shared: ExamShare[] = []
    const seen = new Set<number>()
    for (const rule of rules) {
      if (seen.has(rule.centreId)) continue
      const reason = shareReason(rule, facts)
      if (!reason) continue
      seen.add(rule.centreId)
      const inserted = await insertIgnore(
        'exam_shares',
        {
          exam_id: exam.id,
          centre_id: rule.centreId,
          rule_id: rule.id,
          reason,
          shared_at: sqlTime(now),
        },
        'exam_id'
      )
      const share = await ExamShare.query()
        .where('exam_id', exam.id)
        .where('centre_id', rule.centreId)
        .firstOrFail()
      // INSERT IGNORE answers id 0 when the exam was already shared with this centre: told once.
      const fresh = Array.isArray(inserted) && Number(inserted[0]) > 0
      if (fresh) {
        await audit.system({
          action: 'consultation.share',
          targetType: 'exam',
          targetId: exam.id,
          details: { centreId: rule.centreId, reason },
        })
        realtime.toInstitution(rule.centreId, 'share:new', {
          shareId: share.id,
          accessionNumber: exam.accessionNumber,
          reason,
          url: `/shared-exams/${share.id}`,
        })
      }
      shared.push(share)
    }
    // A report already signed travels with the images.
    if (exam.reportSignedAt) await this.shareReport(exam.id, now)
    return shared
  }

  /** A report was signed: every centre the exam is shared with gets it (an amendment: the new version). */
  async shareReport(examId: number, now: DateTime = this.clock.now()) {
    const signed = await ReportVersion.query()
      .where('exam_id', examId)
      .whereNotNull('signed_at')
      .orderBy('version_no', 'desc')
      .first()
    if (!signed) return 0
    const shares = await ExamShare.query()
      .where('exam_id', examId)
      .where((q) => q.whereNull('report_version_id').orWhereNot('report_version_id', signed.id))
    for (const share of shares) {
      const changed = await db
        .from('exam_shares')
        .where('id', share.id)
        .where((q) => q.whereNull('report_version_id').orWhereNot('report_version_id', signed.id))
        .update({ report_version_id: signed.id, report_shared_at: sqlTime(now) })
      if (Number(changed) !== 1) continue
      await audit.system({
        action: 'consultation.share_report',
        targetType: 'exam',
        targetId: examId,
        details: { centreId: share.centreId, versionNo: signed.versionNo },
      })
      realtime.toInstitution(share.centreId, 'share:report', {
        shareId: share.id,
        versionNo: signed.versionNo,
        url: `/shared-exams/${share.id}`,
      })
    }
    return shares.length
  }

  /** The job: exams whose images or report came in the last two hours are shared if an event was missed. */
  async catchUp(now: DateTime = this.clock.now()) {
    const since = sqlTime(now.minus({ hours: 2 }))
    const exams = await db
      .from('exams')
      .where((q) =>
        q.where('images_received_at', '>=', since).orWhere('report_signed_at', '>=', since)
      )
      .select('id')
      .limit(2000)
    for (const row of exams) await this.shareExam(Number(row.id), now)
    return exams.length
  }
}

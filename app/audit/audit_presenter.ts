/*
| The audit log as an administrator reads it: one sentence per entry in the
| reader's language ("查看了检查 CG20261201-0003 的影像"), the record it is
| about named as people know it (accession number, patient number, user name)
| and linked to its page, the details as labelled values. An action code
| without a sentence still reads as a sentence ("执行了操作 …"), and the raw
| record stays one click away for the technically minded.
*/
import type { I18n } from '@adonisjs/i18n'
import db from '@adonisjs/lucid/services/db'
import type AuditEvent from '#models/audit_event'

const CODE_LIKE = new Set(['url', 'ae', 'needs'])

export interface PresentedAuditEvent {
  id: number
  occurredAt: AuditEvent['occurredAt']
  actor: string | null
  outcome: AuditEvent['outcome']
  /** HTML: the sentence, its target escaped and linked */
  sentence: string
  details: Array<{ label: string; value: string; code: boolean }>
  /** the stored details as JSON, for the technical view */
  raw: string | null
  ip: string | null
}

interface TargetLabel {
  label: string
  href: string | null
}

/** Where each kind of record is looked up and which page shows it. */
const TARGETS: Record<
  string,
  { table: string; label: string; href?: (id: string, row: Record<string, any>) => string | null }
> = {
  // The log's readers are administrators, who by least privilege (C 8.5) open no exam, patient or critical
  // value: those are named (accession number, patient number, #id) but not linked.
  exam: { table: 'exams', label: 'accession_number' },
  clinic_patient: { table: 'clinic_patients', label: 'clinic_patient_no' },
  critical_value: { table: 'critical_values', label: 'id' },
  critical_finding: {
    table: 'critical_findings',
    label: 'name',
    href: () => '/admin/critical-findings',
  },
  user: { table: 'users', label: 'username', href: (id) => `/admin/users/${id}/edit` },
  institution: {
    table: 'institutions',
    label: 'name',
    href: (id) => `/admin/institutions/${id}/edit`,
  },
  dicom_sender: { table: 'dicom_senders', label: 'ae_title', href: () => '/admin/senders' },
  exam_item: { table: 'exam_items', label: 'name', href: () => '/admin/catalogue' },
  equipment: { table: 'equipment', label: 'asset_no', href: (id) => `/admin/equipment/${id}/edit` },
  storage_node: {
    table: 'storage_nodes',
    label: 'name',
    href: (id) => `/storage/nodes/${id}/edit`,
  },
  legal_hold: { table: 'legal_holds', label: 'id', href: () => '/storage/holds' },
  retention_run: {
    table: 'retention_runs',
    label: 'id',
    href: (id) => `/storage/retention/runs/${id}`,
  },
  archived_study: {
    table: 'archived_studies',
    label: 'accession_number',
    href: (id) => `/storage/studies/${id}`,
  },
  staffing_plan: {
    table: 'staffing_plans',
    label: 'name',
    href: (id) => `/admin/staffing/plans/${id}`,
  },
  staffing_ratio_set: {
    table: 'staffing_ratio_sets',
    label: 'version',
    href: () => '/admin/staffing/ratios',
  },
  staff_member: {
    table: 'staff_members',
    label: 'full_name',
    href: (id) => `/admin/staffing/staff/${id}/edit`,
  },
  report_template: { table: 'report_templates', label: 'name', href: () => '/reading/templates' },
  phrase_template: { table: 'phrase_templates', label: 'id', href: () => '/reading/templates' },
  unmatched_study: { table: 'unmatched_studies', label: 'id', href: () => '/unmatched' },
}

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!
  )

export function sentenceKey(action: string) {
  return `audit.sentences.${action.replace(/\./g, '_')}`
}

export class AuditPresenter {
  constructor(protected i18n: I18n) {}

  protected has(key: string) {
    return this.i18n.hasMessage(key) || this.i18n.hasFallbackMessage(key)
  }

  /** Labels of every target the page shows, one query per kind of record. */
  protected async targets(events: AuditEvent[]) {
    const labels = new Map<string, TargetLabel>()
    const byType = new Map<string, Set<string>>()
    for (const event of events) {
      if (!event.targetType || event.targetId === null) continue
      if (!byType.has(event.targetType)) byType.set(event.targetType, new Set())
      byType.get(event.targetType)!.add(String(event.targetId))
    }
    for (const [type, ids] of byType) {
      const spec = TARGETS[type]
      if (!spec) continue
      const numeric = [...ids].filter((id) => /^\d+$/.test(id)).map(Number)
      if (!numeric.length) continue
      const rows = await db.from(spec.table).whereIn('id', numeric).select('id', spec.label)
      for (const row of rows) {
        labels.set(`${type}:${row.id}`, {
          label: String(row[spec.label] ?? row.id),
          href: spec.href ? spec.href(String(row.id), row) : null,
        })
      }
    }
    return labels
  }

  protected target(event: AuditEvent, labels: Map<string, TargetLabel>): string {
    if (!event.targetType || event.targetId === null) return ''
    const known = labels.get(`${event.targetType}:${event.targetId}`)
    // A record that no longer exists (or never did: a refused attempt) is named by its id, without a link.
    const label =
      known?.label ??
      (event.targetType === 'orthanc_study'
        ? String(event.targetId).slice(0, 8)
        : String(event.targetId))
    const key = `audit.targets.${event.targetType}`
    const text = escape(this.has(key) ? this.i18n.t(key, { label }) : label)
    // MLPS 8.1.4.2: the audit log is the audit administrator's, who opens nothing else, so a target is
    // named, never linked to a page that would answer 403.
    return text
  }

  protected sentence(event: AuditEvent, target: string) {
    const key = sentenceKey(event.action)
    // The target is HTML already: the message is escaped around a marker, then the marker replaced.
    const marker = '\u0000target\u0000'
    if (this.has(key)) {
      const text = escape(this.i18n.t(key, { target: marker }))
      if (text.includes(marker)) return text.replace(marker, target)
      // A sentence that does not name its target gets it after, in the reader's brackets (（…） or (…)).
      return target
        ? text + escape(this.i18n.t('common.titled', { title: marker })).replace(marker, target)
        : text
    }
    const text = escape(this.i18n.t('audit.unknown_action', { code: marker }))
    return (
      text.replace(marker, `<code>${escape(event.action)}</code>`) + (target ? ` · ${target}` : '')
    )
  }

  protected details(event: AuditEvent) {
    const out: Array<{ label: string; value: string; code: boolean }> = []
    const details = (event as any).details as Record<string, unknown> | null
    if (!details || typeof details !== 'object') return out
    for (const [name, value] of Object.entries(details)) {
      const text = Array.isArray(value) ? value.join(', ') : value
      if (text === null || text === undefined || text === '' || typeof text === 'object') continue
      const labelKey = `audit.detail_keys.${name}`
      if (!this.has(labelKey)) continue
      const valueKey = `audit.detail_values.${name}.${String(text)}`
      const translated = this.has(valueKey)
      // A page address, an AE title or a role code is shown as the code it is.
      out.push({
        label: this.i18n.t(labelKey),
        value: translated ? this.i18n.t(valueKey) : String(text),
        code: !translated && (CODE_LIKE.has(name) || /^[a-z_]+$/.test(String(text))),
      })
    }
    return out
  }

  async present(events: AuditEvent[]): Promise<PresentedAuditEvent[]> {
    const labels = await this.targets(events)
    return events.map((event) => {
      const details = (event as any).details as Record<string, unknown> | null
      const raw = details && Object.keys(details).length ? JSON.stringify(details) : null
      return {
        id: event.id,
        occurredAt: event.occurredAt,
        // Scheduled jobs and the feeds write as the system, not as a person.
        actor:
          event.actorUserId === null && (!event.actorUsername || event.actorUsername === 'system')
            ? null
            : event.actorUsername,
        outcome: event.outcome,
        sentence: this.sentence(event, this.target(event, labels)),
        details: this.details(event),
        raw,
        ip: event.ip,
      }
    })
  }
}

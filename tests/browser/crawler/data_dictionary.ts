/*
| The patient, clinical and user-entered data of a database: what the crawler
| allows in either language. Labels the interface owes a translation for are
| deliberately absent: critical findings that have an English name, action
| codes, statuses, Orthanc's own error texts.
*/
import mysql from 'mysql2/promise'
import { DataDictionary } from './text_rules.js'

const COLUMNS: Record<string, string[]> = {
  patients: ['name'],
  unmatched_studies: ['dicom_patient_name', 'dicom_patient_id'],
  institutions: ['name', 'level', 'address'],
  users: ['full_name', 'username'],
  exams: ['department', 'requesting_doctor', 'clinical_history', 'purpose', 'clinical_diagnosis'],
  exam_items: [
    'name',
    'source_name',
    'body_part',
    'position',
    'method',
    'region',
    'technique_note',
  ],
  report_versions: [
    'technique',
    'findings',
    'impression',
    'comparison',
    'amendment_reason',
    'return_comment',
    'no_comparison_reason',
  ],
  report_drafts: ['technique', 'findings', 'impression', 'comparison', 'no_comparison_reason'],
  report_templates: ['name', 'body_part', 'diagnosis', 'technique', 'findings', 'impression'],
  phrase_templates: ['text', 'category'],
  critical_values: ['message', 'read_back', 'acknowledged_by_name', 'withdrawn_reason'],
  critical_value_events: ['actor_name'],
  dicom_senders: ['description'],
  equipment: ['model', 'manufacturer', 'notes', 'asset_no'],
  legal_holds: ['reason', 'release_reason', 'reference'],
  staff_members: ['full_name', 'staff_no'],
  staff_certificates: ['number'],
  staffing_plans: ['name', 'notes'],
  staffing_ratio_sets: ['note'],
  storage_nodes: ['name'],
  // Quality control: checklist texts (a QC administrator edits them), notes, names, session titles, outcomes, reasons.
  qc_checklist_entries: ['text'],
  qc_checklists: ['rule'],
  qc_scores: ['note', 'scored_name'],
  qc_sessions: ['title', 'purpose'],
  qc_findings: ['override_reason'],
  qc_followups: ['outcome'],
  qc_exam_technologists: ['operator_name'],
  qc_exam_devices: ['station_name', 'manufacturer', 'model'],
  training_sessions: ['topic', 'trainer'],
  training_materials: ['file_name'],
  assessment_rounds: ['title'],
  assessment_weight_sets: ['note'],
  assessment_quarters: ['reason'],
  corrective_actions: ['problem', 'owner', 'follow_up'],
  consultations: ['question', 'clinical_summary', 'cancel_reason'],
  consultation_upper_escalations: ['note', 'opinion', 'recommendation'],
  recognition_external_results: ['reference', 'findings', 'impression'],
  // the holidays' names the administrators enter (seeded in Chinese: 春节, 清明节…)
  recognition_calendar_days: ['name'],
  consultation_opinions: ['opinion', 'recommendation', 'amendment_reason'],
  consultation_messages: ['body'],
  share_links: ['note'],
}

export interface DatabaseTarget {
  host?: string
  port?: number
  user?: string
  password?: string
  socketPath?: string
  database: string
}

export async function dataDictionary(target: DatabaseTarget) {
  const connection = await mysql.createConnection({
    ...target,
    user: target.user || 'root',
    password: target.password || '',
  })
  try {
    const values: string[] = []
    for (const [table, columns] of Object.entries(COLUMNS)) {
      const [rows] = await connection.query(
        `SELECT ${columns.map((c) => `\`${c}\``).join(', ')} FROM \`${table}\``
      )
      for (const row of rows as Array<Record<string, unknown>>)
        for (const value of Object.values(row)) if (typeof value === 'string') values.push(value)
    }
    // Critical findings an administrator added without an English name are data; the standard list has English names.
    const [findings] = await connection.query(
      "SELECT name FROM critical_findings WHERE name_en IS NULL OR name_en = ''"
    )
    for (const row of findings as Array<{ name: string }>) values.push(row.name)
    // What people typed into a critical value's events (call notes, who was reached).
    const [events] = await connection.query(
      'SELECT details FROM critical_value_events WHERE details IS NOT NULL'
    )
    for (const row of events as Array<{ details: string }>) {
      try {
        for (const value of Object.values(JSON.parse(row.details) ?? {}))
          if (typeof value === 'string') values.push(value)
      } catch {}
    }
    return new DataDictionary(values)
  } finally {
    await connection.end()
  }
}

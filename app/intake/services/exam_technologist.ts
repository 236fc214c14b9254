import type { IncomingMessage } from 'node:http'
import db from '@adonisjs/lucid/services/db'
import type Exam from '#models/exam'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { technologistChanged } from '#app/quality/services/workload_days'

/*
| The technologist who acquired an exam, picked by the clinic from its own
| roster when it sends the images (the staffing roster: staff_members of the
| clinic, profession technologist, active). Quality control scores the image
| items against this person (Q 4.1, Q 7.1) and falls back to the DICOM
| Operators' Name matched to the roster when nobody was picked.
| Refused (422, before any byte is read or stored): anyone not on this
| clinic's roster as an active technologist.
*/

export interface RosterTechnologist {
  id: number
  fullName: string
  staffNo: string
}

/** The clinic's active technologists, for the upload page's list. */
export async function clinicTechnologists(institutionId: number): Promise<RosterTechnologist[]> {
  const rows = await db
    .from('staff_members')
    .where('institution_id', institutionId)
    .where('profession', 'technologist')
    .where('active', true)
    .orderBy('full_name')
    .select('id', 'full_name', 'staff_no')
  return rows.map((r: any) => ({ id: Number(r.id), fullName: r.full_name, staffNo: r.staff_no }))
}

/** Reads `technologistId` from the query string (a multipart body's fields come only after its files). */
export function pickedTechnologistId(query: Record<string, unknown>): number | null {
  const raw = query.technologistId
  if (raw === undefined || raw === null || raw === '') return null
  const id = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(id) || id <= 0)
    throw new DomainRefusal('technologist_not_on_roster', 'intake.upload.technologist_refused')
  return id
}

/** Checks the pick against the exam's clinic roster; nothing is written when it is refused. */
export async function technologistRefusal(exam: Exam, staffId: number) {
  const staff = await db
    .from('staff_members')
    .where('id', staffId)
    .where('institution_id', exam.institutionId)
    .where('profession', 'technologist')
    .where('active', true)
    .first()
  return staff
    ? null
    : new DomainRefusal('technologist_not_on_roster', 'intake.upload.technologist_refused')
}

/** Records the pick on the exam (the latest pick wins: the clinic corrects a wrong one by sending again). */
export async function recordTechnologist(exam: Exam, staffId: number) {
  if (exam.technologistStaffId === staffId) return
  await db.from('exams').where('id', exam.id).update({ technologist_staff_id: staffId })
  exam.technologistStaffId = staffId
  // Images sent again after the signature: QC's workload counts the signed day under the new pick (Q 6.4).
  if (exam.reportSignedAt) await technologistChanged(exam.id)
}

/**
 * The no-JavaScript upload form sends the technologist as a form field placed
 * before its files (the browser sends fields in the form's order), not in the
 * query string. This reads the body's first bytes up to the first file part,
 * takes the field if it is there, and puts every byte back, so the pick is
 * still checked before any file is read or stored. Null when the field is
 * absent (or not before the files, or not within the first 64 KB).
 */
export function leadingFormField(
  request: IncomingMessage,
  contentType: string | undefined,
  field: string,
  maxBytes = 64 * 1024
): Promise<string | null> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '')
  if (!boundary) return Promise.resolve(null)
  const delimiter = `--${boundary[1] ?? boundary[2]}`
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let length = 0
    const finish = (value: string | null) => {
      request.off('data', onData)
      request.off('end', onEnd)
      request.off('error', onError)
      request.pause()
      // Synchronously, from the data handler: the stream cannot have ended with bytes unread.
      if (chunks.length) request.unshift(Buffer.concat(chunks))
      resolve(value)
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      length += chunk.length
      const text = Buffer.concat(chunks).toString('latin1')
      // Each part: delimiter, headers, a blank line, the value, CRLF before the next delimiter.
      let at = text.indexOf(delimiter)
      while (at !== -1) {
        const headersEnd = text.indexOf('\r\n\r\n', at)
        if (headersEnd === -1) break
        const headers = text.slice(at, headersEnd)
        if (/filename=/i.test(headers) || text.startsWith(`${delimiter}--`, at)) return finish(null)
        const next = text.indexOf(`\r\n${delimiter}`, headersEnd + 4)
        if (next === -1) break
        if (new RegExp(`name="${field}"`, 'i').test(headers))
          return finish(Buffer.from(text.slice(headersEnd + 4, next), 'latin1').toString('utf8'))
        at = next + 2
      }
      if (length >= maxBytes) finish(null)
    }
    const onEnd = () => {
      request.off('data', onData)
      request.off('error', onError)
      // A body that ends before any file part or its last delimiter is not a form this handles.
      reject(new DomainRefusal('bad_multipart', 'common.errors.bad_request'))
    }
    const onError = (error: Error) => {
      request.off('data', onData)
      request.off('end', onEnd)
      reject(error)
    }
    request.on('data', onData)
    request.once('end', onEnd)
    request.once('error', onError)
  })
}

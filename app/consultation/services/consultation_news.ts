import type { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { realtime, rooms } from '#app/realtime/realtime'
import type Consultation from '#app/consultation/models/consultation'
import type ConsultationMessage from '#app/consultation/models/consultation_message'

/*
| Consultations on the live channel. socket.io delivers at most once: every
| consultation, message and opinion is stored before it is pushed, the pages
| show what is stored, and a consultant's socket gets its open consultations
| again when it (re)connects (realtime.ts). Pushes go to user rooms only: the
| people in the consultation, never a whole institution.
*/

function time(value: DateTime) {
  return value.setZone(imaging.displayTimezone).toFormat('yyyy-MM-dd HH:mm')
}

export function consultationSummary(consultation: Consultation) {
  return {
    id: consultation.id,
    urgency: consultation.urgency,
    status: consultation.status,
    dueAt: time(consultation.dueAt),
    escalationLevel: consultation.escalationLevel,
    url: `/consultations/${consultation.id}`,
  }
}

export function participants(consultation: Consultation, extra: number[] = []) {
  const ids = new Set<number>([consultation.requestedById, ...extra])
  if (consultation.consultantId) ids.add(consultation.consultantId)
  return [...ids].map((id) => rooms.user(id))
}

export const consultationNews = {
  /** A consultation is handed to a consultant (on request, on take-over, on escalation to the duty desk or head). */
  assigned(
    consultation: Consultation,
    userIds: number[],
    reason: 'assigned' | 'escalated' | 'head_of_department'
  ) {
    if (!userIds.length) return
    realtime.emit(
      userIds.map((id) => rooms.user(id)),
      'consultation:assigned',
      { ...consultationSummary(consultation), reason }
    )
  },

  message(
    consultation: Consultation,
    message: ConsultationMessage,
    authorName: string | null,
    extra: number[] = []
  ) {
    realtime.emit(participants(consultation, extra), 'consultation:message', {
      consultationId: consultation.id,
      id: message.id,
      kind: message.kind,
      author: authorName,
      body: message.body,
      at: time(message.createdAt),
    })
  },

  answered(
    consultation: Consultation,
    opinion: { versionNo: number; opinion: string; recommendation: string | null; author: string },
    extra: number[] = []
  ) {
    realtime.emit(participants(consultation, extra), 'consultation:answered', {
      ...consultationSummary(consultation),
      versionNo: opinion.versionNo,
      opinion: opinion.opinion,
      recommendation: opinion.recommendation,
      author: opinion.author,
    })
  },
}

import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'

/*
| What happened in the domain, for other capabilities to act on without the
| source knowing them: quality control checks a study when it arrives,
| specialty centres get a share when a report is signed, the recognition
| platform gets a push. Emitted after the change is committed; listeners run
| in the same process and must not assume they run exactly once or at all
| (a crash between commit and listener loses the event): a listener whose work
| must not be lost records it in its own table first and a job catches up
| from the source records (the event only makes it prompt).
|
| Capabilities subscribe in their own `events.ts`, loaded by start/events.ts.
*/

declare module '@adonisjs/core/types' {
  interface EventsList {
    /** A clinic registered exam requests (one per modality). */
    'exam:registered': { examIds: number[]; userId: number; institutionId: number }
    /** An exam's first images arrived (browser, API or C-STORE); its reading clock started. */
    'exam:images_received': {
      examId: number
      orthancStudyId: string | null
      via: 'upload' | 'dicom' | 'attach' | 'forward' | string
    }
    /** A report was submitted for review. */
    'report:submitted': { examId: number; reportVersionId: number; authorId: number }
    /** A report version was signed (the first signature or an amendment's). */
    'report:signed': {
      examId: number
      reportVersionId: number
      versionNo: number
      signerId: number
    }
    /** A critical value was raised (it may still await the second doctor's confirmation). */
    'critical_value:raised': { criticalValueId: number; examId: number; status: string }
  }
}

type Events = import('@adonisjs/core/types').EventsList
type DomainEvent =
  | 'exam:registered'
  | 'exam:images_received'
  | 'report:submitted'
  | 'report:signed'
  | 'critical_value:raised'

/** Emits without letting a listener's failure reach the person whose change is already committed. */
export function publish<E extends DomainEvent>(event: E, payload: Events[E]) {
  Promise.resolve(emitter.emit(event, payload)).catch((error) =>
    logger.error({ err: error, event }, 'a listener of a domain event failed')
  )
}

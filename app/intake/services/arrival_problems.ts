import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { retryPoisonNow } from '#app/orthanc/change_feed'
import { DomainRefusal } from '#app/platform/domain_refusal'

/** For the centre's administrators: arrivals the feed could not process, and series held apart from their study. */
export class ArrivalProblems {
  async overview() {
    const poison = await db
      .from('feed_poison_changes')
      .whereIn('status', ['retrying', 'parked'])
      .orderBy('last_failed_at', 'desc')
      .limit(200)
    const held = await db
      .from('held_series')
      .join('exams', 'exams.id', 'held_series.exam_id')
      .leftJoin('institutions', 'institutions.id', 'held_series.sender_institution_id')
      .where('held_series.status', 'held')
      .select('held_series.*', 'exams.accession_number', 'institutions.name as sender_name')
      .orderBy('held_series.received_at', 'desc')
      .limit(200)
    return { poison, held }
  }

  /** A parked or retrying change tried again now; one that is not (any more) a problem answers as missing. */
  async retryNow(id: number, now: DateTime) {
    if (!(await retryPoisonNow(id, now))) throw DomainRefusal.notFound('change')
    return id
  }
}

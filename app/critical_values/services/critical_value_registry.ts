import { isAdministrator } from '#app/access/roles'
import { DateTime } from 'luxon'
import type { ModelQueryBuilderContract } from '@adonisjs/lucid/types/model'
import CriticalValue from '#models/critical_value'
import Institution from '#models/institution'
import type User from '#models/user'
import imaging from '#config/imaging'
import { adminClinicalAccess } from '#app/access/clinical_access'
import { readsForAlliance } from '#app/access/visibility'
import { percentile } from '#app/critical_values/critical_value_rules'
import { formatInZone, minutesBetween } from '#app/critical_values/display'
import { sqlTime } from '#app/critical_values/hand_off_log'

export interface RegistryFilters {
  status?: string
  institutionId?: number
  findingId?: number
  /** yyyy-MM-dd, hospital time, inclusive */
  from?: string
  to?: string
  escalated?: boolean
  search?: string
  page?: number
}

export interface ClinicAckStats {
  institutionId: number
  name: string
  raised: number
  acknowledged: number
  open: number
  escalated: number
  /** minutes from sending to acknowledgement */
  median: number | null
  p90: number | null
}

/** Most rows a single export holds (a county raises a few hundred critical values a year). */
export const EXPORT_LIMIT = 50_000

/*
| The critical-value registry (危急值登记): every critical value with its
| times and durations, filtered, exported, and per clinic the median and
| 90th percentile time to acknowledge. A clinic sees its own; lead-hospital
| readers see every clinic's; administrators only with clinical access.
*/
export class CriticalValueRegistry {
  scope(
    query: ModelQueryBuilderContract<typeof CriticalValue>,
    user: Pick<User, 'role' | 'institutionId'> & { institution?: { kind: string } | null }
  ) {
    if (isAdministrator(user)) return adminClinicalAccess() ? query : query.whereRaw('1 = 0')
    if (readsForAlliance(user)) return query
    return query.where('critical_values.institution_id', user.institutionId)
  }

  /** Raised between the start of `from` and the end of `to`, in the hospital's zone. */
  protected dayBound(day: string | undefined, end: boolean) {
    if (!day) return null
    const parsed = DateTime.fromISO(day, { zone: imaging.displayTimezone })
    if (!parsed.isValid) return null
    return sqlTime((end ? parsed.endOf('day') : parsed.startOf('day')).toUTC())
  }

  query(user: User, filters: RegistryFilters) {
    const from = this.dayBound(filters.from, false)
    const to = this.dayBound(filters.to, true)
    const search = filters.search?.trim()
    return this.scope(CriticalValue.query(), user)
      .if(filters.status, (q) => q.where('critical_values.status', filters.status!))
      .if(filters.institutionId, (q) =>
        q.where('critical_values.institution_id', filters.institutionId!)
      )
      .if(filters.findingId, (q) => q.where('critical_values.finding_id', filters.findingId!))
      .if(from, (q) => q.where('critical_values.raised_at', '>=', from!))
      .if(to, (q) => q.where('critical_values.raised_at', '<=', to!))
      .if(filters.escalated, (q) => q.where('critical_values.escalation_level', '>', 0))
      .if(search, (q) =>
        q.whereHas('exam', (exam) =>
          exam.where((either) =>
            either
              .where('accession_number', search!)
              .orWhereHas('patient', (patient) => patient.where('name', 'like', `%${search}%`))
          )
        )
      )
  }

  list(user: User, filters: RegistryFilters, perPage = 50) {
    return this.query(user, filters)
      .preload('exam', (q) => q.preload('patient'))
      .preload('institution')
      .preload('raisedBy')
      .orderBy('critical_values.raised_at', 'desc')
      .orderBy('critical_values.id', 'desc')
      .paginate(filters.page ?? 1, perPage)
  }

  /** Per clinic: how many, how many open or escalated, median and p90 minutes to acknowledge. */
  async clinicStats(user: User, filters: RegistryFilters): Promise<ClinicAckStats[]> {
    const values = await this.query(user, { ...filters, page: undefined }).select(
      'critical_values.institution_id',
      'critical_values.status',
      'critical_values.sent_at',
      'critical_values.acknowledged_at',
      'critical_values.escalation_level'
    )
    const byClinic = new Map<
      number,
      { minutes: number[]; raised: number; open: number; escalated: number }
    >()
    for (const value of values) {
      const entry = byClinic.get(value.institutionId) ?? {
        minutes: [],
        raised: 0,
        open: 0,
        escalated: 0,
      }
      entry.raised++
      if (value.status === 'open') entry.open++
      if (value.escalationLevel > 0) entry.escalated++
      const minutes = minutesBetween(value.sentAt, value.acknowledgedAt)
      if (value.status === 'acknowledged' && minutes !== null) entry.minutes.push(minutes)
      byClinic.set(value.institutionId, entry)
    }
    const names = new Map(
      (await Institution.query().whereIn('id', [...byClinic.keys()])).map((i) => [i.id, i])
    )
    return [...byClinic.entries()]
      .map(([institutionId, entry]) => ({
        institutionId,
        name: names.get(institutionId)?.name ?? String(institutionId),
        code: names.get(institutionId)?.code ?? '',
        raised: entry.raised,
        acknowledged: entry.minutes.length,
        open: entry.open,
        escalated: entry.escalated,
        median: round1(percentile(entry.minutes, 50)),
        p90: round1(percentile(entry.minutes, 90)),
      }))
      .sort((a, b) => a.code.localeCompare(b.code))
      .map(({ code: _code, ...rest }) => rest)
  }

  /** The rows of an export, one per critical value, times in the hospital's zone. */
  async exportRows(user: User, filters: RegistryFilters, t: (key: string) => string) {
    const values = await this.query(user, { ...filters, page: undefined })
      .preload('exam', (q) => q.preload('patient'))
      .preload('institution')
      .preload('raisedBy')
      .preload('confirmedBy')
      .orderBy('critical_values.raised_at')
      .limit(EXPORT_LIMIT)
    const header = [
      'id',
      'raised_at',
      'clinic',
      'accession',
      'patient',
      'modality',
      'finding',
      'message',
      'raised_by',
      'confirmed_by',
      'sent_at',
      'first_delivered_at',
      'minutes_to_deliver',
      'acknowledged_at',
      'acknowledged_by',
      'ack_channel',
      'read_back',
      'minutes_to_acknowledge',
      'escalation_level',
      'escalated_at',
      'phone_required_at',
      'status',
    ].map((key) => t(`critical_values.export.${key}`))
    const rows = values.map((v) => [
      v.id,
      formatInZone(v.raisedAt),
      v.institution.name,
      v.exam.accessionNumber,
      v.exam.patient.name,
      v.exam.modality,
      v.findingName,
      v.message,
      v.raisedBy.fullName,
      v.confirmedBy?.fullName ?? '',
      formatInZone(v.sentAt),
      formatInZone(v.firstDeliveredAt),
      minutesBetween(v.sentAt, v.firstDeliveredAt) ?? '',
      formatInZone(v.acknowledgedAt),
      v.acknowledgedByName ?? '',
      v.ackChannel ? t(`critical_values.channel.${v.ackChannel}`) : '',
      v.readBack ?? '',
      minutesBetween(v.sentAt, v.acknowledgedAt) ?? '',
      v.escalationLevel,
      formatInZone(v.escalatedAt),
      formatInZone(v.phoneRequiredAt),
      t(`critical_values.status.${v.status}`),
    ])
    return { header, rows }
  }
}

function round1(value: number | null) {
  return value === null ? null : Math.round(value * 10) / 10
}

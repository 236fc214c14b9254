/*
| When things happen in the demo county, relative to the moment it is seeded,
| so that the reading queue looks like a real working day whenever `npm start`
| runs: a couple of weeks of signed reports behind it, and in the queue a few
| exams overdue while most are within their turnaround limits (R 7.1.1).
| Routine exams are registered in clinic hours (08:00–17:30 hospital time);
| emergencies at any hour. Every time is in the past and in order:
| registered → images → claimed → critical value → submitted → signed.
*/
import { DateTime } from 'luxon'
import type { Priority } from '#models/exam'
import { CASE_BY_KEY, type ClinicalCase } from './cases.js'

export type Stage =
  'signed' | 'amended' | 'pending_review' | 'in_progress' | 'returned' | 'waiting' | 'no_images'
export type CriticalStory = 'acknowledged' | 'phoned' | 'confirmed' | 'withdrawn' | 'live'

export interface PlannedExam {
  case: ClinicalCase
  /** index into the five member clinics */
  clinic: number
  priority: Priority
  registeredAt: DateTime
  /** images arrive this long after registration; null: not yet */
  arrivesAfter: number | null
  stage: Stage
  critical?: CriticalStory
  /** exams with the same key are the same patient (a follow-up) */
  patientKey?: string
  /** the exam whose images come by DICOM C-STORE (matched by patient and date) */
  viaDicom?: boolean
}

export type DemoSize = 'full' | 'small'

const OPEN = 8 * 60
const CLOSE = 17 * 60 + 30

/** The latest moment at or before `t` that falls in clinic hours, in hospital time. */
export function clinicHoursBefore(t: DateTime, zone: string) {
  const local = t.setZone(zone)
  const minute = local.hour * 60 + local.minute
  if (minute >= OPEN && minute <= CLOSE) return t
  const day = minute < OPEN ? local.minus({ days: 1 }) : local
  return day.set({ hour: 17, minute: 30, second: 0, millisecond: 0 }).toUTC()
}

/** `minutes` of clinic time before `t` (skipping nights). */
export function clinicMinutesBefore(t: DateTime, minutes: number, zone: string) {
  let at = clinicHoursBefore(t, zone)
  let left = minutes
  while (left > 0) {
    const local = at.setZone(zone)
    const sinceOpen = local.hour * 60 + local.minute - OPEN
    if (left <= sinceOpen) return at.minus({ minutes: left })
    left -= sinceOpen
    at = local.minus({ days: 1 }).set({ hour: 17, minute: 30, second: 0, millisecond: 0 }).toUTC()
  }
  return at
}

function inClinicHours(t: DateTime, zone: string) {
  const local = t.setZone(zone)
  const minute = local.hour * 60 + local.minute
  return minute >= OPEN && minute <= CLOSE
}

const HISTORY_ROUTINE = [
  'chest_checkup',
  'lumbar_degeneration',
  'head_ct_normal',
  'knee_oa',
  'mammography',
  'lung_nodule',
  'lumbar_disc_mr',
  'cervical_degeneration',
  'cholecystitis',
  'chest_ct_normal',
  'small_vessel',
  'meniscus',
  'sinusitis',
  'lumbar_disc_ct',
  'cervical_myelopathy',
  'lumbar_mr_normal',
]
const HISTORY_EMERGENCY = ['colles', 'stroke_ct', 'rib_fractures', 'acute_infarct']
const HISTORY_CRITICAL = [
  'ich',
  'pulmonary_embolism',
  'tension_pneumothorax',
  'perforation',
  'aortic_dissection',
  'bowel_obstruction',
  'ich',
  'bowel_obstruction',
  'pulmonary_embolism',
  'ich',
]

/**
 * The county's exams, oldest first.
 * @param random a deterministic source in [0, 1)
 */
export function planCounty(
  now: DateTime,
  zone: string,
  size: DemoSize,
  random: () => number
): PlannedExam[] {
  const plan: PlannedExam[] = []
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
  const caseOf = (key: string) => {
    const found = CASE_BY_KEY.get(key)
    if (!found) throw new Error(`demo case ${key} is not defined`)
    return found
  }
  let clinic = 0
  const nextClinic = () => clinic++ % 5
  const add = (
    key: string,
    registeredAt: DateTime,
    stage: Stage,
    extra: Partial<PlannedExam> = {}
  ) => {
    const c = caseOf(key)
    const emergency = (extra.priority ?? c.priority) === 'emergency'
    plan.push({
      case: c,
      clinic: extra.clinic ?? nextClinic(),
      priority: c.priority,
      registeredAt,
      arrivesAfter: emergency ? between(6, 15) : between(12, 45),
      stage,
      ...extra,
    })
    return plan.length - 1
  }

  // ------------------------------------------------------------ the past weeks: read and signed
  const days = size === 'full' ? 13 : 3
  const perDay = size === 'full' ? 5 : 3
  let routine = 0
  let emergency = 0
  let critical = 0
  const criticalList = size === 'full' ? HISTORY_CRITICAL : HISTORY_CRITICAL.slice(0, 2)
  let firstPneumonia: PlannedExam | null = null
  for (let day = days; day >= 2; day--) {
    const date = now.setZone(zone).minus({ days: day }).startOf('day')
    for (let n = 0; n < perDay; n++) {
      const at = date
        .set({ hour: 8, minute: 20 })
        .plus({ minutes: Math.floor((n * (CLOSE - OPEN - 40)) / perDay) + between(0, 25) })
        .toUTC()
      const key = HISTORY_ROUTINE[routine++ % HISTORY_ROUTINE.length]
      add(key, at, n === 1 && day % 4 === 0 ? 'amended' : 'signed')
    }
    // An emergency by day, a critical value every other day (at any hour).
    add(
      HISTORY_EMERGENCY[emergency++ % HISTORY_EMERGENCY.length],
      date.set({ hour: between(0, 23), minute: between(0, 59) }).toUTC(),
      'signed'
    )
    if (critical < criticalList.length) {
      add(
        criticalList[critical++],
        date.set({ hour: between(0, 23), minute: between(0, 59) }).toUTC(),
        'signed',
        { critical: 'acknowledged' }
      )
    }
    if (day === days)
      firstPneumonia =
        plan[
          add('pneumonia', date.set({ hour: 9, minute: between(0, 50) }).toUTC(), 'signed', {
            patientKey: 'pneumonia',
          })
        ]
  }

  // ------------------------------------------------------------ yesterday and the day before: the stories
  const twoDaysAgo = now.minus({ days: 2, hours: 3 })
  add('pulmonary_embolism', twoDaysAgo, 'signed', { clinic: 1, critical: 'phoned' })
  add('tension_pneumothorax', now.minus({ days: 1, hours: 6 }), 'signed', { critical: 'confirmed' })
  add('chilaiditi', now.minus({ days: 1, hours: 2 }), 'signed', { critical: 'withdrawn' })
  if (firstPneumonia) {
    const followUp = clinicMinutesBefore(now.minus({ days: 1 }), 120, zone)
    add('pneumonia_follow_up', followUp, 'signed', {
      clinic: firstPneumonia.clinic,
      patientKey: 'pneumonia',
    })
  }

  // ------------------------------------------------------------ the queue now
  // Overdue: a routine chest CT from yesterday's clinic hours more than a day ago, an emergency CT from 2.5 h ago,
  // and a lumbar film written but not yet reviewed.
  add('chest_ct_normal', clinicHoursBefore(now.minus({ hours: 27 }), zone), 'waiting', {
    arrivesAfter: 20,
  })
  if (size === 'full') {
    add('rib_fractures', now.minus({ minutes: 160 }), 'waiting', { arrivesAfter: 10 })
    add(
      'lumbar_degeneration',
      clinicHoursBefore(now.minus({ hours: 25, minutes: 30 }), zone),
      'pending_review',
      { arrivesAfter: 15 }
    )
  }
  // Within their limits: routine exams of the last clinic hours, spaced as clinics send them.
  const recentRoutine =
    size === 'full'
      ? [
          'meningioma',
          'knee_oa',
          'mammography',
          'lumbar_disc_mr',
          'cholecystitis',
          'sinusitis',
          'small_vessel',
          'chest_checkup',
          'cervical_myelopathy',
          'lung_nodule',
          'meniscus',
          'head_ct_normal',
        ]
      : ['mammography', 'lumbar_disc_mr', 'knee_oa', 'small_vessel']
  const stages: Stage[] =
    size === 'full'
      ? [
          'pending_review',
          'pending_review',
          'pending_review',
          'returned',
          'in_progress',
          'in_progress',
          'waiting',
          'waiting',
          'waiting',
          'waiting',
          'waiting',
          'waiting',
        ]
      : ['pending_review', 'returned', 'waiting', 'waiting']
  recentRoutine.forEach((key, i) => {
    // Oldest first, spread over the last clinic day (one clinic day is always within the last 24 hours).
    const back = (recentRoutine.length - i) * (size === 'full' ? 38 : 100) + 40 + between(0, 15)
    add(key, clinicMinutesBefore(now, back, zone), stages[i])
  })
  // Emergencies of the last hour: a wrist film waiting, a stroke CT waiting, and the head CT being read with a critical value just raised.
  add('colles', now.minus({ minutes: 24 }), 'waiting', { arrivesAfter: 8 })
  if (size === 'full') add('stroke_ct', now.minus({ minutes: 55 }), 'waiting', { arrivesAfter: 10 })
  add('ich', now.minus({ minutes: 30 }), 'in_progress', {
    clinic: 0,
    critical: 'live',
    arrivesAfter: 12,
  })

  // Registered, images not here yet (one of them will come by C-STORE). Outside clinic hours only emergencies are registered.
  const late = !inClinicHours(now, zone)
  add('pneumonia', now.minus({ minutes: 4 }), 'no_images', {
    clinic: 0,
    viaDicom: true,
    arrivesAfter: null,
    ...(late ? { priority: 'emergency' as Priority } : {}),
  })
  if (size === 'full') {
    add(late ? 'colles' : 'chest_checkup', now.minus({ minutes: 12 }), 'no_images', {
      arrivesAfter: null,
    })
    add(
      late ? 'bowel_obstruction' : 'lumbar_degeneration',
      now.minus({ minutes: 19 }),
      'no_images',
      { arrivesAfter: null }
    )
  }

  for (const entry of plan) {
    if (entry.priority === 'emergency' && entry.arrivesAfter !== null && entry.arrivesAfter > 20)
      entry.arrivesAfter = 12
  }
  return plan.sort((a, b) => a.registeredAt.toMillis() - b.registeredAt.toMillis())
}

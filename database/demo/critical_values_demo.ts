/*
| Demo step for critical values: the finding list, who is on duty, head and
| duty desk, and a critical value on every exam whose case has one (cases.ts),
| raised by the doctor reading it while reading it: acknowledged in the
| system, acknowledged by telephone after escalation, confirmed or withdrawn
| at the two-person check, and one raised just now, still open, so that
| logging in as clinic1 shows the blocking alert. Made through the same
| services the app uses, with a manual clock for the past.
*/
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import type { ReadExam } from './reading_demo.js'
import User from '#models/user'
import Institution from '#models/institution'
import CriticalFinding from '#models/critical_finding'
import { ManualClock } from '#app/platform/clock'
import { DutyRoster } from '#app/critical_values/services/duty_roster'
import { CriticalFindingList } from '#app/critical_values/services/critical_finding_list'
import { CriticalValueAlerts } from '#app/critical_values/services/critical_value_alerts'
import { CriticalValueRaising } from '#app/critical_values/services/critical_value_raising'
import { CriticalValueAcknowledgement } from '#app/critical_values/services/critical_value_acknowledgement'
import { CriticalValueEscalation } from '#app/critical_values/services/critical_value_escalation'

export async function seedCriticalValuesDemo(
  read: ReadExam[],
  now: DateTime,
  log: (message: string) => void = () => {}
) {
  const clock = new ManualClock(now.minus({ days: 14 }))
  const roster = new DutyRoster(clock)
  const list = new CriticalFindingList(clock)
  const alerts = new CriticalValueAlerts(clock)
  const raising = new CriticalValueRaising(clock, roster, list, alerts)
  const acknowledgement = new CriticalValueAcknowledgement(clock, alerts)
  const escalation = new CriticalValueEscalation(clock, roster, alerts)

  await list.seedDefaults()
  const admin = await User.findByOrFail('username', 'admin')
  const user = (username: string) =>
    User.query().where('username', username).preload('institution').firstOrFail()
  const [clinic1, clinic2, clinic3, clinic4, clinic5, radSenior, qc] = await Promise.all(
    ['clinic1', 'clinic2', 'clinic3', 'clinic4', 'clinic5', 'rad.senior', 'qc'].map(user)
  )

  // Contacts: clinic1 on duty at 城关镇, clinic2 head of 青山镇, the QC officer at the duty desk.
  await roster.assign(admin, clinic1.id, 'on_duty', true)
  await roster.assign(admin, clinic2.id, 'clinic_head', true)
  await roster.assign(admin, qc.id, 'duty_desk', true)
  for (const [code, phone] of [
    ['M01', '0831-5512001'],
    ['M02', '0831-5512002'],
    ['M03', '0831-5512003'],
    ['M04', '0831-5512004'],
    ['M05', '0831-5512005'],
  ]) {
    await Institution.query().where('code', code).update({ phone })
  }
  const staffOf = new Map(
    [clinic1, clinic2, clinic3, clinic4, clinic5].map((u) => [u.institutionId, u])
  )
  const findingId = async (code: string) => (await CriticalFinding.findByOrFail('code', code)).id

  // Raised by the doctor reading the exam, a few minutes after claiming it, before the report went for review.
  const raise = async (entry: ReadExam, code: string, message: string, at: DateTime) => {
    clock.set(at)
    return raising.raise(entry.reader!, entry.exam, {
      findingId: await findingId(code),
      message,
      requestKey: randomUUID(),
    })
  }
  const raisedAt = (entry: ReadExam) => {
    const at = entry.claimedAt!.plus({ minutes: 4 })
    return entry.submittedAt && at >= entry.submittedAt
      ? entry.submittedAt.minus({ minutes: 1 })
      : at
  }

  let count = 0
  const delays = [3, 5, 2, 7, 4, 12, 6, 3, 9, 4, 14, 5]
  for (const entry of read.filter((e) => e.planned.critical && e.reader)) {
    const story = entry.planned.critical!
    const c = entry.planned.case
    const at = raisedAt(entry)
    if (story === 'acknowledged') {
      const value = await raise(entry, c.critical!, c.criticalMessage![0], at)
      clock.set(at.plus({ minutes: delays[count % delays.length], seconds: 20 }))
      // Anything left past its deadline escalates first, as the scheduler would have done.
      await escalation.escalateUnacknowledged(clock.now())
      await acknowledgement.acknowledge(
        staffOf.get(entry.exam.institutionId)!,
        value,
        c.criticalMessage![1]
      )
    } else if (story === 'phoned') {
      // Not acknowledged: escalated at 10 minutes, telephone at 30; the radiologist calls and the doctor reads back.
      const value = await raise(entry, c.critical!, c.criticalMessage![0], at)
      clock.set(at.plus({ minutes: 10 }))
      await escalation.escalateUnacknowledged(clock.now())
      clock.set(at.plus({ minutes: 30 }))
      await escalation.escalateUnacknowledged(clock.now())
      clock.set(at.plus({ minutes: 33 }))
      await acknowledgement.recordCall(entry.reader!, value, {
        outcome: 'not_reached',
        note: '值班电话无人接听',
      })
      clock.set(at.plus({ minutes: 36 }))
      await acknowledgement.recordCall(entry.reader!, value, {
        outcome: 'reached',
        contactName: '青山镇卫生院 值班医生 李明',
        readBack: c.criticalMessage![1],
      })
    } else if (story === 'confirmed' || story === 'withdrawn') {
      // The two-person check, switched on for that day: one confirmed and sent, one withdrawn at the check.
      clock.set(at.minus({ minutes: 1 }))
      await list.setTwoPersonCheck(true, admin)
      if (story === 'confirmed') {
        const value = await raise(entry, c.critical!, c.criticalMessage![0], at)
        clock.set(at.plus({ minutes: 2 }))
        await raising.confirm(radSenior, value)
        clock.set(at.plus({ minutes: 6 }))
        await acknowledgement.acknowledge(
          staffOf.get(entry.exam.institutionId)!,
          value,
          c.criticalMessage![1]
        )
      } else {
        // The junior suspected free air under the diaphragm; the senior saw colon (Chilaiditi), and the report says so.
        const value = await raise(
          entry,
          'PERFORATION',
          '右膈下透亮影，考虑膈下游离气体，消化道穿孔可能',
          at
        )
        clock.set(at.plus({ minutes: 3 }))
        await raising.withdraw(
          radSenior,
          value,
          '复核：膈下透亮影为结肠间位（Chilaiditi 征），非游离气体'
        )
      }
      clock.set(at.plus({ minutes: 10 }))
      await list.setTwoPersonCheck(false, admin)
    } else if (story === 'live') {
      // Raised just now and still open: log in as clinic1 to see the blocking alert (it escalates after 10 minutes).
      await raise(entry, c.critical!, c.criticalMessage![0], now)
    }
    count++
  }
  log(
    `${count} critical values (one open for clinic1 now); clinic1 on duty, clinic2 head of 青山镇, qc at the duty desk`
  )
  return count
}

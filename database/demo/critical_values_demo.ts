/*
| Demo step for critical values: the finding list, who is on duty, head and
| duty desk, two weeks of critical values in every state (acknowledged in the
| system, acknowledged by telephone after escalation, withdrawn at the
| two-person check) and one raised just now, still open, so that logging in
| as clinic1 shows the blocking alert. Made through the same services the
| app uses, with a manual clock for the past.
*/
import { randomUUID } from 'node:crypto'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
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

/** What the radiologist writes for each finding, and what the clinic reads back. */
const MESSAGES: Record<string, [string, string]> = {
  ICH: ['左侧颞顶叶急性脑出血，量约25ml，中线右移4mm', '左侧颞顶叶急性脑出血约25ml，中线右移'],
  PE: ['右肺动脉主干及左下肺动脉充盈缺损，考虑急性肺栓塞', '右肺动脉主干充盈缺损，急性肺栓塞'],
  TENSION_PTX: ['右侧大量气胸，右肺压缩约80%，纵隔向左移位', '右侧大量气胸，右肺压缩约80%，纵隔左移'],
  PERFORATION: ['双侧膈下见游离气体，考虑消化道穿孔', '膈下游离气体，消化道穿孔'],
  AORTIC_DISSECTION: ['主动脉弓至腹主动脉见内膜片，考虑主动脉夹层（Stanford A型）', '主动脉夹层，Stanford A型'],
  OBSTRUCTION: ['小肠多发扩张积液伴气液平，考虑急性肠梗阻', '小肠扩张气液平，急性肠梗阻'],
}

export async function seedCriticalValuesDemo(log: (message: string) => void = () => {}) {
  const now = DateTime.utc().startOf('minute')
  const clock = new ManualClock(now.minus({ days: 14 }))
  const roster = new DutyRoster(clock)
  const list = new CriticalFindingList(clock)
  const alerts = new CriticalValueAlerts(clock)
  const raising = new CriticalValueRaising(clock, roster, list, alerts)
  const acknowledgement = new CriticalValueAcknowledgement(clock, alerts)
  const escalation = new CriticalValueEscalation(clock, roster, alerts)

  await list.seedDefaults()
  const admin = await User.findByOrFail('username', 'admin')
  const user = (username: string) => User.query().where('username', username).preload('institution').firstOrFail()
  const [clinic1, clinic2, clinic3, clinic4, clinic5, radJunior, radMid, radSenior, qc] = await Promise.all(
    ['clinic1', 'clinic2', 'clinic3', 'clinic4', 'clinic5', 'rad.junior', 'rad.mid', 'rad.senior', 'qc'].map(user)
  )

  // Contacts: clinic1 on duty at 城关镇, clinic2 head of 青山镇, the QC officer at the duty desk.
  await roster.assign(admin, clinic1.id, 'on_duty', true)
  await roster.assign(admin, clinic2.id, 'clinic_head', true)
  await roster.assign(admin, qc.id, 'duty_desk', true)
  for (const [code, phone] of [['M01', '0831-5512001'], ['M02', '0831-5512002'], ['M03', '0831-5512003'], ['M04', '0831-5512004'], ['M05', '0831-5512005']]) {
    await Institution.query().where('code', code).update({ phone })
  }

  const staffOf = new Map([clinic1, clinic2, clinic3, clinic4, clinic5].map((u) => [u.institutionId, u]))
  const exams = await Exam.query().whereNot('status', 'registered').whereIn('institution_id', [...staffOf.keys()]).orderBy('registered_at')
  const findingBy = async (code: string) => CriticalFinding.findByOrFail('code', code)
  const raisers = [radJunior, radMid, radSenior]
  const used = new Set<number>()
  const nextExam = (institutionId?: number) => {
    const exam = exams.find((e) => !used.has(e.id) && (institutionId === undefined || e.institutionId === institutionId) && e.modality !== 'MR')
    if (!exam) return null
    used.add(exam.id)
    return exam
  }

  async function raise(exam: Exam, code: string, at: DateTime, raiser: User) {
    clock.set(at)
    return raising.raise(raiser, exam, { findingId: (await findingBy(code)).id, message: MESSAGES[code][0], requestKey: randomUUID() })
  }

  // Two weeks of critical values acknowledged in the system, 2 to 14 minutes after sending.
  const codes = Object.keys(MESSAGES)
  let count = 0
  for (let i = 0; i < 14; i++) {
    const exam = nextExam()
    if (!exam) break
    const code = codes[i % codes.length]
    const at = now.minus({ days: 13 - i, hours: (i * 5) % 9 })
    const value = await raise(exam, code, at, raisers[i % raisers.length])
    const minutes = [3, 5, 2, 7, 4, 12, 6, 3, 9, 4, 14, 5, 2, 8][i]
    clock.set(at.plus({ minutes, seconds: 20 }))
    // Anything left past its deadline escalates first, as the scheduler would have done.
    await escalation.escalateUnacknowledged(clock.now())
    await acknowledgement.acknowledge(staffOf.get(exam.institutionId)!, value, MESSAGES[code][1])
    count++
  }

  // Not acknowledged: escalated at 10 minutes, telephone at 30; the radiologist calls and the doctor reads back.
  const phoned = nextExam((await Institution.findByOrFail('code', 'M02')).id)
  if (phoned) {
    const at = now.minus({ days: 2, hours: 3 })
    const value = await raise(phoned, 'PE', at, radMid)
    clock.set(at.plus({ minutes: 10 }))
    await escalation.escalateUnacknowledged(clock.now())
    clock.set(at.plus({ minutes: 30 }))
    await escalation.escalateUnacknowledged(clock.now())
    clock.set(at.plus({ minutes: 33 }))
    await acknowledgement.recordCall(radMid, value, { outcome: 'not_reached', note: '值班电话无人接听' })
    clock.set(at.plus({ minutes: 36 }))
    await acknowledgement.recordCall(radMid, value, { outcome: 'reached', contactName: '青山镇卫生院 值班医生 李明', readBack: MESSAGES.PE[1] })
    count++
  }

  // The two-person check, switched on for a day: one confirmed and sent, one withdrawn as an artefact.
  await list.setTwoPersonCheck(true, admin)
  const checked = nextExam()
  if (checked) {
    const at = now.minus({ days: 1, hours: 6 })
    const value = await raise(checked, 'TENSION_PTX', at, radJunior)
    clock.set(at.plus({ minutes: 2 }))
    await raising.confirm(radSenior, value)
    clock.set(at.plus({ minutes: 6 }))
    await acknowledgement.acknowledge(staffOf.get(checked.institutionId)!, value, MESSAGES.TENSION_PTX[1])
    count++
  }
  const withdrawn = nextExam()
  if (withdrawn) {
    const at = now.minus({ days: 1, hours: 2 })
    const value = await raise(withdrawn, 'PERFORATION', at, radJunior)
    clock.set(at.plus({ minutes: 3 }))
    await raising.withdraw(radSenior, value, '复核：膈下透亮影为结肠间位（Chilaiditi 征），非游离气体')
    count++
  }
  await list.setTwoPersonCheck(false, admin)

  // Raised just now and still open: log in as clinic1 to see the blocking alert (it escalates after 10 minutes).
  const live = nextExam((await Institution.findByOrFail('code', 'M01')).id)
  if (live) {
    await raise(live, 'ICH', now, radJunior)
    count++
  }
  log(`${count} critical values (one open for clinic1 now); clinic1 on duty, clinic2 head of 青山镇, qc at the duty desk`)
  return count
}

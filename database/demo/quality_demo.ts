/*
| Quality control in the demo county: a quarter (90 days) of QC history so the
| reports show real distributions — scores of every band, in every mode, with
| notes, artefacts and wasted films, follow-up outcomes (about 92 % agreed), a
| closed monthly review session and an open morning meeting, gold-standard
| cases decided by agreement, by arbitration, and one still waiting, a
| quarterly B appendix B sheet — and, for the `qc` user, work waiting today:
| random-QC marks not yet scored, the open session, a gold case.
|
| The history's exams are past, signed exams written straight into the tables
| (their images are long archived); the county's recent exams, whose studies
| the demo really uploads, carry the intake checks' findings and today's marks.
*/
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Institution from '#models/institution'
import User from '#models/user'
import imaging from '#config/imaging'
import { insertIgnore, sqlTime } from '#app/platform/db_helpers'
import { currentChecklists } from '#app/quality/services/checklists'
import { imageFlags } from '#app/quality/services/qc_scoring'
import { parseRule, scoreItem, type QcItem } from '#app/quality/services/scoring'
import { saveSamplingRule } from '#app/quality/services/forced_qc'
import { KINDS_BY_MODALITY } from '#app/quality/services/devices'

const TECHNOLOGISTS: Record<string, string[]> = {
  M01: ['林勇', '陈晓'],
  M02: ['何平', '宋佳'],
  M03: ['罗军', '唐丽'],
  M04: ['韩涛'],
  M05: ['冯敏', '邓超'],
}
const NOTES: Record<string, string[]> = {
  image_quality: [
    '体位不正，左右不对称',
    '呼吸运动伪影',
    '扫描范围不足，肺尖未包全',
    '窗宽窗位不当',
  ],
  film_layout: ['排版过密，病灶显示偏小', '未放大主要病变'],
  report_quality: ['病变大小未描述', '未给出鉴别诊断', '错别字'],
  application_form: ['病史过于简单，检查目的不明确', '遗漏手术史'],
}

/** A small seeded generator, so the demo is the same on every machine. */
function generator(seed: number) {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
}

/**
 * The reports other demo steps sign are decided outside the random QC sample before they are signed, so the
 * county seeds the same whatever the sampling draws; the quality demo makes its own marked exams (the `qc`
 * user's work waiting).
 */
export async function outsideRandomQc(examId: number, now: DateTime) {
  await insertIgnore(
    'qc_marks',
    {
      exam_id: examId,
      rule_id: null,
      rate_percent: 0,
      seed: 'demo',
      marked: false,
      decided_at: sqlTime(now),
    },
    'exam_id'
  )
}

export async function seedQualityDemo(now: DateTime, log: (message: string) => void = () => {}) {
  log('quality control: checklists, sampling rules and a quarter of QC history…')
  const random = generator(20261202)
  const zone = imaging.displayTimezone
  const lists = await currentChecklists(now)
  const qc = await User.findByOrFail('username', 'qc')
  const junior = await User.findByOrFail('username', 'rad.junior')
  const mid = await User.findByOrFail('username', 'rad.mid')
  const senior = await User.findByOrFail('username', 'rad.senior')
  // The gold standard needs two senior reviewers (Q 7.3.1) and a third to arbitrate.
  const { DEMO_LOGINS } = await import('./demo_county.js')
  const password = DEMO_LOGINS.password
  const lead = await Institution.findByOrFail('code', 'LEAD')
  const senior2 =
    (await User.findBy('username', 'rad.senior2')) ??
    (await User.create({
      username: 'rad.senior2',
      fullName: '刘高',
      password,
      institutionId: lead.id,
      role: 'radiologist',
      title: 'senior',
      status: 'active',
      failedLoginCount: 0,
    }))
  const senior3 =
    (await User.findBy('username', 'rad.senior3')) ??
    (await User.create({
      username: 'rad.senior3',
      fullName: '钱高',
      password,
      institutionId: lead.id,
      role: 'radiologist',
      title: 'senior',
      status: 'active',
      failedLoginCount: 0,
    }))

  await saveSamplingRule({ modality: 'CT', ratePercent: 10, seed: 'demo-ct' }, qc.id, now)
  const m03 = await Institution.findByOrFail('code', 'M03')
  await saveSamplingRule({ institutionId: m03.id, ratePercent: 20, seed: 'demo-m03' }, qc.id, now)

  // ------------------------------------------------------------ the quarter's signed exams
  const clinics = await Institution.query()
    .whereIn('code', Object.keys(TECHNOLOGISTS))
    .orderBy('code')
  // Plain exams of parts either sex has (no mammography, no contrast study concluded as plain).
  const items = await db
    .from('exam_items')
    .where('active', true)
    .whereIn('modality', ['DR', 'CT', 'MR'])
    .whereIn('body_part', ['胸部', '头部', '头颅', '腹部', '脊柱', '肌骨'])
    .whereNot('method', '增强')
    .whereNot('name', 'like', '%钼靶%')
    .whereNot('name', 'like', '%乳腺%')
    .select('id', 'modality')
  const itemOf = (modality: string) => items.filter((i: any) => i.modality === modality)
  const history: Array<{
    id: number
    clinic: Institution
    modality: string
    signedAt: DateTime
    technologist: string
  }> = []
  for (let day = 90; day >= 14; day--) {
    const date = now.setZone(zone).minus({ days: day }).startOf('day')
    for (const clinic of clinics) {
      const patients = await db
        .from('clinic_patients')
        .where('institution_id', clinic.id)
        .select('patient_id')
        .limit(20)
      if (!patients.length) continue
      const count = 1 + Math.floor(random() * 2)
      for (let n = 0; n < count; n++) {
        const modality = random() < 0.55 ? 'DR' : random() < 0.7 ? 'CT' : 'MR'
        const candidates = itemOf(modality)
        const item = candidates[Math.floor(random() * candidates.length)]
        const registeredAt = date
          .set({ hour: 8 + Math.floor(random() * 8), minute: Math.floor(random() * 60) })
          .toUTC()
        const signedAt = registeredAt.plus({ minutes: 40 + Math.floor(random() * 300) })
        const accession = `QH${date.toFormat('yyMMdd')}${clinic.code}${n}`
        const [examId] = await db.table('exams').insert({
          accession_number: accession,
          patient_id: patients[Math.floor(random() * patients.length)].patient_id,
          institution_id: clinic.id,
          modality,
          priority: 'routine',
          status: 'signed',
          clinical_history: '咳嗽、胸痛待查',
          purpose: '明确诊断',
          requesting_doctor: '刘医生',
          registered_at: sqlTime(registeredAt),
          images_received_at: sqlTime(registeredAt.plus({ minutes: 20 })),
          instance_count: modality === 'DR' ? 1 : 120,
          in_reading_queue: false,
          report_signed_at: sqlTime(signedAt),
          created_at: sqlTime(registeredAt),
          updated_at: sqlTime(signedAt),
        })
        await db.table('exam_exam_items').insert({ exam_id: examId, exam_item_id: item.id })
        const signer = random() < 0.6 ? mid : senior
        await db.table('report_versions').insert({
          exam_id: examId,
          version_no: 1,
          status: 'signed',
          technique: modality === 'DR' ? '后前位摄影' : '横断位平扫',
          findings: '双肺纹理清晰，未见明确实变影。心影大小形态正常。',
          impression: '未见明显异常。',
          author_id: junior.id,
          last_modified_by_id: junior.id,
          signer_id: signer.id,
          revision: 3,
          submitted_at: sqlTime(signedAt.minus({ minutes: 20 })),
          signed_at: sqlTime(signedAt),
          created_at: sqlTime(registeredAt.plus({ minutes: 25 })),
          updated_at: sqlTime(signedAt),
        })
        const names = TECHNOLOGISTS[clinic.code]
        const technologist = names[Math.floor(random() * names.length)]
        await db
          .table('qc_exam_technologists')
          .insert({ exam_id: examId, operator_name: technologist })
        history.push({ id: Number(examId), clinic, modality, signedAt, technologist })
      }
    }
  }

  // C 9.2.2: each exam's device, as intake matches it from the study's StationName (the asset number).
  const register = await db
    .from('equipment')
    .whereNot('status', 'retired')
    .select('id', 'institution_id', 'kind', 'asset_no')
  const devices = []
  for (const exam of history) {
    const fitting = register.filter(
      (d: any) =>
        Number(d.institution_id) === Number(exam.clinic.id) &&
        (KINDS_BY_MODALITY[exam.modality] ?? []).includes(d.kind)
    )
    if (!fitting.length) continue
    const device = fitting[Math.floor(random() * fitting.length)]
    devices.push({ exam_id: exam.id, station_name: device.asset_no, equipment_id: device.id })
  }
  for (let i = 0; i < devices.length; i += 200)
    await db.table('qc_exam_devices').multiInsert(devices.slice(i, i + 200))

  // ------------------------------------------------------------ scores of every band, in every mode
  const rows: Record<string, unknown>[] = []
  const score = (
    exam: (typeof history)[number],
    item: QcItem,
    scorer: User,
    mode: string,
    at: DateTime,
    scored: { userId: number | null; name: string | null }
  ) => {
    const list = lists.get(item)!
    const criteria = list.entries.filter((e) => e.kind === 'criterion')
    const severe = list.entries.filter((e) => e.kind === 'severe' || e.kind === 'finding')
    // Mostly good work, a tail of poor work; one technologist (罗军) noticeably worse, for the red zone.
    const weak = exam.technologist === '罗军' && item === 'image_quality'
    const roll = random()
    const findings =
      roll < (weak ? 0.15 : 0.03)
        ? [severe[Math.floor(random() * severe.length)].id]
        : item === 'application_form' && roll < 0.12
          ? [severe[0].id]
          : []
    const missed = roll < 0.55 ? 0 : roll < (weak ? 0.7 : 0.85) ? 1 : roll < 0.95 ? 2 : 3
    const met = criteria.slice(0, Math.max(0, criteria.length - missed)).map((e) => e.id)
    const ticks = { findings, criteria: met }
    const counts = {
      severe: findings.filter((id) => list.entries.find((e) => e.id === id)!.kind === 'severe')
        .length,
      findings: findings.filter((id) => list.entries.find((e) => e.id === id)!.kind === 'finding')
        .length,
      met: met.length,
    }
    const result = scoreItem(parseRule(list.rule), counts)
    const flags = imageFlags(list, ticks)
    const notes = NOTES[item] ?? []
    rows.push({
      exam_id: exam.id,
      item,
      checklist_id: list.id,
      score: result.score,
      band: result.band,
      passed: result.passed,
      findings: JSON.stringify(findings),
      criteria: JSON.stringify(met),
      note: result.score < 5 && notes.length ? notes[Math.floor(random() * notes.length)] : null,
      artefact: flags.artefact,
      waste_film: flags.wasteFilm,
      scored_user_id: scored.userId,
      scored_name: scored.name,
      institution_id: exam.clinic.id,
      modality: exam.modality,
      scorer_id: scorer.id,
      mode,
      scored_at: sqlTime(at),
    })
  }
  for (const exam of history) {
    const mode = random() < 0.5 ? 'random' : random() < 0.5 ? 'active' : 'centralised'
    const scorer = mode === 'centralised' ? qc : random() < 0.5 ? mid : senior
    const at = exam.signedAt.plus({
      minutes: mode === 'random' ? -5 : 60 * 24 * (1 + Math.floor(random() * 5)),
    })
    score(exam, 'image_quality', scorer, mode, at, { userId: null, name: exam.technologist })
    score(exam, 'film_layout', scorer, mode, at, { userId: null, name: exam.technologist })
    if (exam.modality !== 'DR' && random() < 0.3)
      score(exam, 'reconstruction_3d', scorer, mode, at, { userId: null, name: exam.technologist })
    if (random() < 0.5)
      score(exam, 'application_form', scorer, mode, at, { userId: null, name: null })
    if (mode === 'centralised' || random() < 0.3)
      score(exam, 'report_quality', qc, 'centralised', at, {
        userId: junior.id,
        name: junior.fullName,
      })
    if (mode === 'centralised' && random() < 0.5)
      score(exam, 'review_quality', qc, 'centralised', at, { userId: mid.id, name: mid.fullName })
  }
  for (let i = 0; i < rows.length; i += 200)
    await db.table('qc_scores').multiInsert(rows.slice(i, i + 200))

  // ------------------------------------------------------------ follow-up outcomes (B: agreement > 90 %)
  const followed = history.filter(() => random() < 0.3)
  for (const exam of followed) {
    const agreed = random() < 0.92
    await db.table('qc_followups').insert({
      exam_id: exam.id,
      source: random() < 0.4 ? 'surgery' : random() < 0.5 ? 'pathology' : 'clinical',
      outcome: agreed ? '术后病理与影像诊断一致' : '病理为炎性假瘤，影像诊断为肺癌',
      agreed,
      recorded_by_id: qc.id,
      recorded_at: sqlTime(exam.signedAt.plus({ days: 7 })),
    })
  }

  // ------------------------------------------------------------ sessions: a closed monthly review, an open morning meeting
  const lastMonth = history.filter((e) => e.signedAt < now.minus({ days: 30 })).slice(-12)
  const [closedId] = await db.table('qc_sessions').insert({
    title: '上月影像质控集中评议',
    purpose: '每月质控例会（Q 7.2.1）',
    status: 'closed',
    opened_by_id: qc.id,
    opened_at: sqlTime(now.minus({ days: 25 })),
    closed_by_id: qc.id,
    closed_at: sqlTime(now.minus({ days: 24 })),
  })
  await db.table('qc_session_exams').multiInsert(
    lastMonth.map((e, i) => ({
      session_id: closedId,
      exam_id: e.id,
      position: i + 1,
      done_at: sqlTime(now.minus({ days: 24 })),
    }))
  )
  const recentSigned = await db
    .from('exams')
    .whereIn('status', ['signed', 'amended'])
    .where('report_signed_at', '>=', sqlTime(now.minus({ days: 14 })))
    .orderBy('report_signed_at', 'desc')
    .limit(6)
    .select('id')
  if (recentSigned.length) {
    const [openId] = await db.table('qc_sessions').insert({
      title: '今日晨会读片质控',
      purpose: '晨会抽查昨日报告',
      status: 'open',
      opened_by_id: qc.id,
      opened_at: sqlTime(now.minus({ hours: 2 })),
    })
    await db.table('qc_session_exams').multiInsert(
      recentSigned.map((e: any, i: number) => ({
        session_id: openId,
        exam_id: e.id,
        position: i + 1,
        done_at: null,
      }))
    )
  }

  // ------------------------------------------------------------ gold standard: agreed, arbitrated, waiting
  const goldExams = history.slice(-3)
  const rl = lists.get('report_quality')!
  const crit = rl.entries.filter((e) => e.kind === 'criterion').map((e) => e.id)
  const goldScore = (
    exam: (typeof history)[number],
    goldId: number,
    scorer: User,
    mode: string,
    met: number,
    at: DateTime
  ) => {
    const s = scoreItem(parseRule(rl.rule), { severe: 0, findings: 0, met })
    return {
      exam_id: exam.id,
      item: 'report_quality',
      checklist_id: rl.id,
      score: s.score,
      band: s.band,
      passed: s.passed,
      findings: '[]',
      criteria: JSON.stringify(crit.slice(0, met)),
      scored_user_id: junior.id,
      scored_name: junior.fullName,
      institution_id: exam.clinic.id,
      modality: exam.modality,
      scorer_id: scorer.id,
      mode,
      gold_case_id: goldId,
      scored_at: sqlTime(at),
    }
  }
  if (goldExams.length === 3) {
    const at = now.minus({ days: 10 })
    const [agreed] = await db.table('qc_gold_cases').insert({
      exam_id: goldExams[0].id,
      item: 'report_quality',
      status: 'decided',
      first_reviewer_id: senior.id,
      second_reviewer_id: senior2.id,
      final_score: 4,
      opened_by_id: qc.id,
      opened_at: sqlTime(at),
      decided_at: sqlTime(at.plus({ days: 1 })),
    })
    const [arbitrated] = await db.table('qc_gold_cases').insert({
      exam_id: goldExams[1].id,
      item: 'report_quality',
      status: 'decided',
      first_reviewer_id: senior.id,
      second_reviewer_id: senior2.id,
      arbiter_id: senior3.id,
      final_score: 3,
      opened_by_id: qc.id,
      opened_at: sqlTime(at),
      decided_at: sqlTime(at.plus({ days: 2 })),
    })
    const [waiting] = await db.table('qc_gold_cases').insert({
      exam_id: goldExams[2].id,
      item: 'report_quality',
      status: 'reviewing',
      first_reviewer_id: senior.id,
      second_reviewer_id: senior2.id,
      opened_by_id: qc.id,
      opened_at: sqlTime(now.minus({ days: 1 })),
    })
    await db
      .table('qc_scores')
      .multiInsert([
        goldScore(goldExams[0], Number(agreed), senior, 'gold', 3, at.plus({ hours: 3 })),
        goldScore(goldExams[0], Number(agreed), senior2, 'gold', 3, at.plus({ days: 1 })),
        goldScore(goldExams[1], Number(arbitrated), senior, 'gold', 4, at.plus({ hours: 3 })),
        goldScore(goldExams[1], Number(arbitrated), senior2, 'gold', 1, at.plus({ days: 1 })),
        goldScore(
          goldExams[1],
          Number(arbitrated),
          senior3,
          'arbitration',
          2,
          at.plus({ days: 2 })
        ),
        goldScore(goldExams[2], Number(waiting), senior2, 'gold', 3, now.minus({ hours: 20 })),
      ])
  }

  // ------------------------------------------------------------ today's random-QC marks waiting for their score
  const pending = await db
    .from('exams')
    .whereIn('status', ['pending_review', 'in_progress'])
    .orderBy('id')
    .limit(3)
    .select('id')
  for (const exam of pending) {
    await db
      .knexQuery()
      .table('qc_marks')
      .insert({
        exam_id: exam.id,
        rule_id: null,
        rate_percent: 5,
        seed: 'qc-default',
        marked: true,
        decided_at: sqlTime(now.minus({ minutes: 30 })),
      })
      .onConflict('exam_id')
      .merge()
  }

  // ------------------------------------------------------------ last quarter's B appendix B sheet
  const quarterStart = now.setZone(zone).startOf('quarter').minus({ months: 3 })
  await db.table('qc_report_sheets').insert({
    quarter: `${quarterStart.year}Q${quarterStart.quarter}`,
    rule_points: JSON.stringify([2, 2, 1, 2, 2]),
    sampled: JSON.stringify(followed.slice(0, 10).map((e) => e.id)),
    description_deductions: 1,
    diagnosis_deductions: 1,
    total: 26,
    passed: true,
    scored_by_id: qc.id,
    scored_at: sqlTime(now.minus({ days: 20 })),
  })
  log(
    `  ${history.length} past exams with ${rows.length} QC scores, ${followed.length} follow-ups, 2 sessions, 3 gold-standard cases, ${pending.length} marks waiting`
  )
  return { exams: history.length, scores: rows.length }
}

/*
| Quality-control benchmark (issue 12): a year of 1,000,000 exams (40 member
| clinics, 60 % DR / 30 % CT / 10 % MR, each with a signed report version and a
| technologist) with 50,000 QC scores (every 20th exam, image quality, with
| waste-film and artefact flags), two devices per clinic on the equipment register.
| Generated with INSERT … SELECT from MariaDB's sequence engine in its own database.
| Measures, in this process, the QC report (QcReports.build: every query the page,
| Excel and PDF use) for each of the 12 months, all clinics and one clinic, and
| prints EXPLAIN for its queries; then the forced-QC check at signing
| (forcedQcRefusal: the mark decided the first time, then kept) side by side with
| the signature's own statements (SignOff is not run: the check's cost is what is asked).
|
|   node --import ts-node-maintained/register/esm bench/quality.ts
|
| Env: BENCH_DB (imaging_bench_qc), BENCH_EXAMS (1000000), BENCH_RUNS (5), BENCH_REUSE=1 keeps the database.
| Writes bench/results/quality.json.
*/
import 'reflect-metadata'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import mysql from 'mysql2/promise'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DB = process.env.BENCH_DB ?? 'imaging_bench_qc'
const EXAMS = Number(process.env.BENCH_EXAMS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 5)
const CLINICS = 40
const PORT = Number(process.env.BENCH_PORT ?? 3397)

const say = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

const env = {
  ...process.env,
  TZ: 'UTC',
  NODE_ENV: 'production',
  DB_CONNECTION: 'mysql',
  DB_HOST: process.env.DB_HOST ?? '127.0.0.1',
  DB_PORT: process.env.DB_PORT ?? '3306',
  DB_USER: process.env.DB_USER ?? 'root',
  DB_PASSWORD: process.env.DB_PASSWORD ?? '',
  DB_DATABASE: DB,
  HOST: '127.0.0.1',
  PORT: String(PORT),
  LOG_LEVEL: 'warn',
  SCHEDULER_ENABLED: 'false',
  ORTHANC_URL: 'http://127.0.0.1:9',
}

function dotEnv() {
  const values: Record<string, string> = {}
  const file = join(ROOT, '.env')
  if (!existsSync(file)) return values
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/)
    if (match) values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return values
}

async function connect(database?: string) {
  return mysql.createConnection({
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    user: env.DB_USER,
    password: env.DB_PASSWORD,
    database,
    timezone: 'Z',
  })
}

async function generate() {
  const admin = await connect()
  await admin.query(`DROP DATABASE IF EXISTS \`${DB}\``)
  await admin.query(`CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  say(`migrating ${DB}…`)
  const migrated = spawnSync(
    process.execPath,
    ['ace.js', 'migration:run', '--force', '--disable-locks'],
    { cwd: ROOT, env: { ...dotEnv(), ...env }, stdio: 'inherit' }
  )
  if (migrated.status !== 0) throw new Error('migrations failed')
  const c = await connect(DB)
  await c.query('SET unique_checks = 0, foreign_key_checks = 0')
  const now = 'UTC_TIMESTAMP()'
  await c.query(
    `INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at) VALUES (1, 'LEAD', '清河县人民医院', 'lead_hospital', '二级甲等', 1, ${now}, ${now})`
  )
  await c.query(
    `INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at)
     SELECT seq + 1, CONCAT('M', LPAD(seq, 2, '0')), CONCAT('第', seq, '卫生院'), 'member_clinic', '一级', 1, ${now}, ${now} FROM seq_1_to_${CLINICS}`
  )
  await c.query(`INSERT INTO users (id, institution_id, username, full_name, password, role, title, status, failed_login_count, created_at, updated_at)
                 VALUES (1, 1, 'qc', '赵质控', '!', 'qc_officer', 'intermediate', 'active', 0, ${now}, ${now})`)
  await c.query(`INSERT INTO users (id, institution_id, username, full_name, password, role, title, status, failed_login_count, created_at, updated_at)
                 SELECT seq + 1, 1, CONCAT('rad', seq), CONCAT('医生', seq), '!', 'radiologist', 'intermediate', 'active', 0, ${now}, ${now} FROM seq_1_to_20`)
  await c.query(
    `INSERT INTO patients (id, name, sex, birth_date, created_at, updated_at) SELECT seq, CONCAT('患者', seq), 'M', '1970-01-01', ${now}, ${now} FROM seq_1_to_${CLINICS}`
  )
  // 12 technologists per clinic; 2 devices per clinic (DR and CT).
  await c.query(
    `INSERT INTO staff_members (id, institution_id, staff_no, full_name, profession, title, fte, active, created_at, updated_at)
     SELECT seq, (seq MOD ${CLINICS}) + 2, CONCAT('S', seq), CONCAT('技师', seq), 'technologist', 'junior', 1, 1, ${now}, ${now} FROM seq_1_to_${CLINICS * 12}`
  )
  await c.query(
    `INSERT INTO equipment (id, institution_id, kind, asset_no, model, status, created_at, updated_at)
     SELECT seq, ((seq - 1) MOD ${CLINICS}) + 2, IF(seq <= ${CLINICS}, 'dr', 'ct'), CONCAT('DEV', seq), 'M1', 'in_service', ${now}, ${now} FROM seq_1_to_${CLINICS * 2}`
  )
  say(`${EXAMS} exams over the last 12 months…`)
  const started = Date.now()
  // Half the exams name a technologist picked at upload; the other half only a DICOM operator (below).
  await c.query(
    `INSERT INTO exams (id, accession_number, patient_id, institution_id, modality, priority, status, clinical_history, purpose, requesting_doctor,
                        registered_at, images_received_at, instance_count, due_at, in_reading_queue, report_signed_at, technologist_staff_id, created_at, updated_at)
     SELECT seq, CONCAT('B', seq), (seq MOD ${CLINICS}) + 1, (seq MOD ${CLINICS}) + 2,
            ELT(1 + (seq MOD 10 > 5) + (seq MOD 10 > 8), 'DR', 'CT', 'MR'), 'routine', 'signed', '体检', '常规', '门诊',
            t - INTERVAL 20 MINUTE, t, 1, t + INTERVAL 24 HOUR, 0, t + INTERVAL 2 HOUR,
            IF(seq MOD 2 = 0, (seq MOD ${CLINICS * 12}) + 1 - ((seq MOD ${CLINICS * 12}) MOD ${CLINICS}) + (seq MOD ${CLINICS}), NULL), t, t
     FROM (SELECT seq, UTC_TIMESTAMP() - INTERVAL ROUND(seq * ${(365 * 86400) / EXAMS}) SECOND AS t FROM seq_1_to_${EXAMS}) s`
  )
  say(`exams generated in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  await c.query(
    `INSERT INTO report_versions (exam_id, version_no, status, findings, impression, author_id, last_modified_by_id, signer_id, revision, submitted_at, signed_at, created_at, updated_at)
     SELECT id, 1, 'signed', '未见异常', '未见异常', (id MOD 20) + 2, (id MOD 20) + 2, ((id + 7) MOD 20) + 2, 1, report_signed_at, report_signed_at, report_signed_at, report_signed_at FROM exams`
  )
  await c.query(
    `INSERT INTO qc_exam_technologists (exam_id, operator_name) SELECT id, CONCAT('技师', (id MOD 480) + 1) FROM exams WHERE id MOD 2 = 1`
  )
  say(`reports and technologists in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  const [[checklist]] = (await c.query(
    "SELECT MIN(id) AS id FROM qc_checklists WHERE item = 'image_quality'"
  )) as any
  let checklistId = checklist?.id
  if (!checklistId) {
    const [r] = (await c.query(
      `INSERT INTO qc_checklists (item, version, rule, active, created_at) VALUES ('image_quality', 1, 'bench', 1, ${now})`
    )) as any
    checklistId = r.insertId
  }
  // 50,000 scores: every 20th exam, scored 1 day after its images; scores 5..1, 4 % wasted, 8 % artefacts.
  await c.query(
    `INSERT INTO qc_scores (exam_id, item, checklist_id, score, band, passed, findings, criteria, artefact, waste_film, scored_staff_id, scored_name,
                            institution_id, modality, scorer_id, mode, scored_at)
     SELECT e.id, 'image_quality', ${checklistId}, 5 - (e.id DIV 20) MOD 5, ELT(1 + (e.id DIV 20) MOD 5, 'excellent', 'good', 'pass', 'fail', 'fail'),
            (e.id DIV 20) MOD 5 < 3, '[]', IF((e.id DIV 20) MOD 5 >= 3, '[]', '[]'), (e.id DIV 20) MOD 12 = 0, (e.id DIV 20) MOD 25 = 0,
            NULL, CONCAT('技师', (e.id MOD 480) + 1), e.institution_id, e.modality, 1, ELT(1 + (e.id DIV 20) MOD 3, 'random', 'active', 'centralised'),
            e.images_received_at + INTERVAL 1 DAY
     FROM exams e WHERE e.id MOD 20 = 0`
  )
  await c.query(
    `INSERT INTO qc_exam_devices (exam_id, station_name, equipment_id)
     SELECT e.id, CONCAT('DEV', IF(e.modality = 'DR', e.institution_id - 1, e.institution_id - 1 + ${CLINICS})),
            IF(e.modality = 'MR', NULL, IF(e.modality = 'DR', e.institution_id - 1, e.institution_id - 1 + ${CLINICS}))
     FROM exams e WHERE e.id MOD 20 = 0`
  )
  await c.query(
    `INSERT INTO qc_findings (exam_id, institution_id, stage, code, found_at)
     SELECT id, institution_id, 'intake', 'late_upload', images_received_at FROM exams WHERE id MOD 50 = 0`
  )
  await c.query(
    'ANALYZE TABLE exams, report_versions, qc_scores, qc_exam_technologists, qc_exam_devices, qc_findings, staff_members, equipment'
  )
  say(`generated in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  await c.end()
}

async function bootApp() {
  Object.assign(process.env, { ...dotEnv(), ...env })
  const { Ignitor } = await import('@adonisjs/core')
  const APP_ROOT = new URL('../', import.meta.url)
  const ignitor = new Ignitor(APP_ROOT, {
    importer: (filePath: string) =>
      filePath.startsWith('./') || filePath.startsWith('../')
        ? import(new URL(filePath, APP_ROOT).href)
        : import(filePath),
  })
  const app = ignitor.createApp('console')
  app.booting(async () => {
    await import('#start/env')
  })
  await app.init()
  await app.boot()
  await app.start(async () => {})
  return app
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}
function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const r = (n: number) => Math.round(n * 10) / 10
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1]),
  }
}

async function main() {
  const fresh = process.env.BENCH_REUSE !== '1'
  if (fresh) await generate()
  await bootApp()
  const { QcReports } = await import('#app/quality/services/qc_reports')
  const { forcedQcRefusal } = await import('#app/quality/services/forced_qc')
  const { rebuildAll, countSignedExam, workloadBy } =
    await import('#app/quality/services/workload_days')
  const { markFor } = await import('#app/quality/services/forced_qc')
  const { periodOf } = await import('#app/quality/services/qc_reports')
  const { DateTime } = await import('luxon')
  const db = (await import('@adonisjs/lucid/services/db')).default
  let backfillSeconds: number | null = null
  if (fresh || process.env.BENCH_REBUILD === '1') {
    // The migration's backfill, run again over the generated year (it ran on an empty database).
    const t0 = performance.now()
    const days = await rebuildAll()
    backfillSeconds = Math.round((performance.now() - t0) / 100) / 10
    say(`workload per day counted again: ${days} days in ${backfillSeconds} s`)
  }
  const workloadRows = Number((await db.from('qc_workload_days').count('* as n').first()).n)
  const app = (await import('@adonisjs/core/services/app')).default
  const reports = await app.container.make(QcReports)
  const exams = Number((await db.from('exams').count('* as n').first()).n)
  const scores = Number((await db.from('qc_scores').count('* as n').first()).n)
  say(`${exams} exams, ${scores} QC scores`)

  // EXPLAIN of every query the report runs (captured from Lucid's query events for one build).
  const captured: Array<{ sql: string; bindings: unknown[] }> = []
  const listener = (q: any) => captured.push({ sql: q.sql, bindings: q.bindings ?? [] })
  const knex = (db.connection() as any).getWriteClient()
  knex.on('query', listener)
  const month = DateTime.utc().setZone('Asia/Shanghai').minus({ months: 1 }).toFormat('yyyy-LL')
  await reports.build({ month })
  knex.off('query', listener)
  const explains: Array<{ sql: string; plan: unknown[] }> = []
  for (const q of captured) {
    if (!/^select/i.test(q.sql)) continue
    const plan = await db.rawQuery(`EXPLAIN ${q.sql}`, q.bindings as any[])
    explains.push({
      sql: q.sql.slice(0, 300),
      plan: (plan[0] as any[]).map((r) => ({
        table: r.table,
        type: r.type,
        key: r.key,
        rows: r.rows,
        Extra: r.Extra,
      })),
    })
  }

  // The per-day counts against the exams themselves (the query the report ran before), for last month.
  {
    const { from, to } = periodOf({ month }, DateTime.utc())
    const range = [
      from.toUTC().toFormat('yyyy-MM-dd HH:mm:ss'),
      to.toUTC().toFormat('yyyy-MM-dd HH:mm:ss'),
    ]
    const [live] = (await db.rawQuery(
      `SELECT person, modality, COUNT(*) AS n FROM (
         SELECT COALESCE(picked.full_name, t.operator_name) AS person, e.modality FROM exams e
           LEFT JOIN staff_members picked ON picked.id = e.technologist_staff_id
           LEFT JOIN qc_exam_technologists t ON t.exam_id = e.id
          WHERE e.report_signed_at >= ? AND e.report_signed_at < ?) x
        WHERE person IS NOT NULL GROUP BY person, modality`,
      range
    )) as any
    const kept = await workloadBy('technologist', { from, to }, 100_000)
    const key = (r: any) => `${r.person}|${r.modality}|${Number(r.n ?? r.count)}`
    const a = new Set((live as any[]).map(key))
    const same = a.size === kept.length && kept.every((r) => a.has(key(r)))
    say(
      `workload per day equals the exams' own count for ${month}: ${same} (${a.size} person × modality)`
    )
    if (!same) throw new Error('workload per day differs from the exams')
  }

  if (process.env.BENCH_PROFILE === '1') {
    // Where one all-clinics month goes: each query's own time, as the driver saw it.
    const started = new Map<string, number>()
    const took: Array<{ ms: number; sql: string }> = []
    const onQuery = (q: any) => started.set(q.__knexQueryUid, performance.now())
    const onResponse = (_r: unknown, q: any) =>
      took.push({
        ms: performance.now() - (started.get(q.__knexQueryUid) ?? 0),
        sql: q.sql.slice(0, 120),
      })
    knex.on('query', onQuery)
    knex.on('query-response', onResponse)
    for (let i = 0; i < 3; i++) {
      took.length = 0
      const t0 = performance.now()
      await reports.build({ month })
      say(`build ${Math.round(performance.now() - t0)} ms`)
    }
    knex.off('query', onQuery)
    knex.off('query-response', onResponse)
    for (const t of took) say(`${t.ms.toFixed(1)} ms  ${t.sql}`)
  }

  const months = Array.from({ length: 12 }, (_, i) =>
    DateTime.utc()
      .setZone('Asia/Shanghai')
      .minus({ months: i + 1 })
      .toFormat('yyyy-LL')
  )
  const timed = async (filter: any) => {
    const samples: number[] = []
    for (let r = 0; r < RUNS; r++)
      for (const m of months) {
        const t0 = performance.now()
        await reports.build({ ...filter, month: m })
        samples.push(performance.now() - t0)
        if (process.env.BENCH_PROFILE === '1')
          say(`${m} ${JSON.stringify(filter)} ${Math.round(performance.now() - t0)} ms`)
      }
    return summary(samples)
  }
  const allClinics = await timed({})
  say(`report, all clinics: ${JSON.stringify(allClinics)}`)
  const oneClinic = await timed({ institutionId: 7 })
  say(`report, one clinic: ${JSON.stringify(oneClinic)}`)
  const ctOnly = await timed({ modality: 'CT' })
  say(`report, CT only: ${JSON.stringify(ctOnly)}`)

  // The forced-QC check, as SignOff.sign asks it, side by side with a signature's own writes
  // (the version locked FOR UPDATE, the exam's UPDATE and the workload count, in a transaction rolled back;
  // a signed version's triggers refuse changes, so the version's own UPDATE is not timed).
  // A and B alternate exam by exam in the same run: A = the writes alone (forced QC off), B = the check then
  // the writes (forced QC on). Each case runs on its own exams: "decided now" on exams with no mark kept
  // (the marks of earlier runs are deleted first), "kept" on exams whose mark was decided beforehand.
  const now = DateTime.utc()
  const FORCED = Number(process.env.BENCH_FORCED ?? 2000)
  const ids = (
    await db
      .from('exams')
      .where('id', '<=', FORCED * 3)
      .orderBy('id')
      .select('id', 'modality', 'institution_id')
  ).map((e: any) => ({
    id: Number(e.id),
    modality: e.modality,
    institutionId: Number(e.institution_id),
  }))
  await db
    .from('qc_marks')
    .where('exam_id', '<=', FORCED * 3)
    .delete()
  const signatureWrites = async (examId: number) => {
    const trx = await db.transaction()
    await trx
      .from('report_versions')
      .where('exam_id', examId)
      .where('version_no', 1)
      .forUpdate()
      .first()
    await trx
      .from('exams')
      .where('id', examId)
      .update({ report_signed_at: now.toSQL({ includeOffset: false }) })
    await countSignedExam(trx, examId, now)
    await trx.rollback()
  }
  // The check as it was before this change (commit fa5957a), for the side by side: the kept mark, else the
  // rules read, the mark inserted and read back; then, when marked, the scored forced items.
  const { samplingRules, missingForcedItems, defaultRatePercent } =
    await import('#app/quality/services/forced_qc')
  const { ruleFor, isSampled } = await import('#app/quality/services/sampling')
  const { insertIgnore } = await import('#app/platform/db_helpers')
  const before = async (exam: { id: number; modality: string; institutionId: number }) => {
    let mark = await db.from('qc_marks').where('exam_id', exam.id).first()
    if (!mark) {
      const rule = ruleFor(
        await samplingRules(),
        { modality: exam.modality, institutionId: exam.institutionId, readerId: 2 },
        defaultRatePercent()
      )
      await insertIgnore(
        'qc_marks',
        {
          exam_id: exam.id,
          rule_id: rule.id,
          rate_percent: rule.ratePercent,
          seed: rule.seed,
          marked: isSampled(rule, exam.id),
          decided_at: now.toSQL({ includeOffset: false }),
        },
        'exam_id'
      )
      mark = await db.from('qc_marks').where('exam_id', exam.id).firstOrFail()
    }
    return mark.marked ? (await missingForcedItems(exam.id)).length > 0 : false
  }
  // Three arms, rotating exam by exam: off (the writes alone), before (the old check, then the writes),
  // after (the new check, then the writes); on exams with no mark yet, and on exams whose mark is kept.
  const arms = ['off', 'before', 'after'] as const
  const samples = {
    decidedNow: { off: [] as number[], before: [] as number[], after: [] as number[] },
    markKept: { off: [] as number[], before: [] as number[], after: [] as number[] },
  }
  const checkOnly = {
    decidedNow: { before: [] as number[], after: [] as number[] },
    markKept: { before: [] as number[], after: [] as number[] },
  }
  const decideExams = ids.slice(0, FORCED)
  const keptExams = ids.slice(FORCED, FORCED * 2)
  for (const exam of keptExams) await markFor(exam, 2, now)
  let marked = 0
  for (let i = 0; i < FORCED; i++) {
    const arm = arms[i % 3]
    for (const [kind, exam] of [
      ['decidedNow', decideExams[i]],
      ['markKept', keptExams[i]],
    ] as const) {
      const t0 = performance.now()
      if (arm !== 'off') {
        const refused =
          arm === 'before' ? await before(exam) : Boolean(await forcedQcRefusal(exam, 2, now))
        if (refused && kind === 'decidedNow') marked++
        checkOnly[kind][arm].push(performance.now() - t0)
      }
      await signatureWrites(exam.id)
      samples[kind][arm].push(performance.now() - t0)
    }
  }
  const added = (a: ReturnType<typeof summary>, b: ReturnType<typeof summary>) => ({
    p50: Math.round((b.p50 - a.p50) * 10) / 10,
    p95: Math.round((b.p95 - a.p95) * 10) / 10,
    ratioP50: Math.round((b.p50 / a.p50) * 100) / 100,
    ratioP95: Math.round((b.p95 / a.p95) * 100) / 100,
  })
  const sum = (o: Record<string, number[]>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, summary(v)]))
  const forced = {
    signature: { decidedNow: sum(samples.decidedNow), markKept: sum(samples.markKept) },
    checkAlone: { decidedNow: sum(checkOnly.decidedNow), markKept: sum(checkOnly.markKept) },
    markedAmongDecided: marked,
  }
  const forcedAdded = Object.fromEntries(
    (['decidedNow', 'markKept'] as const).flatMap((kind) => [
      [`${kind}.before`, added(forced.signature[kind].off, forced.signature[kind].before)],
      [`${kind}.after`, added(forced.signature[kind].off, forced.signature[kind].after)],
    ])
  )
  say(`forced QC: ${JSON.stringify(forced)}`)
  say(`forced QC added to a signature: ${JSON.stringify(forcedAdded)}`)

  const results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GB`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    exams,
    scores,
    runsPerMonth: RUNS,
    reportMs: { allClinics, oneClinic, ctOnly },
    forcedQcMs: forced,
    forcedQcAddedMs: forcedAdded,
    workloadRows,
    backfillSeconds,
    explains,
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
  writeFileSync(join(ROOT, 'bench/results/quality.json'), JSON.stringify(results, null, 2))
  console.log(JSON.stringify({ ...results, explains: undefined }, null, 2))
  for (const e of explains) console.log(e.sql, '\n', JSON.stringify(e.plan))
  await app.terminate()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})

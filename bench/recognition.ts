/*
| Mutual-recognition benchmark (issue 13).
|
|   node --import ts-node-maintained/register/esm bench/recognition.ts
|
| A database of its own (BENCH_DB, recreated): 40 member clinics, the two
| catalogues, BENCH_EXAMS (1,000,000) signed exams over the last year for
| 300,000 patients (INSERT … SELECT from MariaDB's sequence engine, seconds),
| every clinic × item evaluated, the signed reports of the last 40 days, and
| 40 clinics × 366 days of data-quality rows. Then, in this process through
| the app's own services (no HTTP):
|   A. the repeat-exam check a registration runs (RepeatExamCheck.check) for
|      random patients and items: its time is what the reminder adds to
|      registering an exam; p50/p95/max, and the EXPLAIN of its candidate query;
|  A2. the whole registration (ExamRegistration.registerRequest) with the
|      lookup, without it (a check whose lookup finds nothing) and with the
|      previous lookup (three reads in parallel), interleaved in one run:
|      p50/p95 of each and of the per-run difference to "without", the
|      candidate query's EXPLAIN before (old index) and after, and its ANALYZE;
|   B. the data-quality figures the page shows (dataQualityByClinic) for 40
|      clinics over one month and over 12 months, and one clinic's daily rows.
| Writes bench/results/recognition.json.
|
| Env: BENCH_DB (imaging_bench_recognition), BENCH_EXAMS (1000000), BENCH_RUNS (500), BENCH_REUSE=1 keeps the data.
*/
import 'reflect-metadata'
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import os from 'node:os'
import { Ignitor } from '@adonisjs/core'

const ROOT = new URL('../', import.meta.url)
const DB = process.env.BENCH_DB ?? 'imaging_bench_recognition'
const EXAMS = Number(process.env.BENCH_EXAMS ?? 1_000_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 500)
const PATIENTS = Math.round(EXAMS * 0.3)
const CLINICS = 40

process.env.TZ = 'UTC'
Object.assign(process.env, {
  DB_CONNECTION: 'mysql',
  DB_DATABASE: DB,
  SCHEDULER_ENABLED: 'false',
  LOG_LEVEL: 'warn',
  ORTHANC_URL: 'http://127.0.0.1:9',
})

const say = (message: string) =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
function quantile(values: number[], q: number) {
  const sorted = [...values].sort((a, b) => a - b)
  const rank = q * (sorted.length - 1)
  const low = Math.floor(rank)
  return sorted[low] + (sorted[Math.ceil(rank)] - sorted[low]) * (rank - low)
}
const ms = (v: number) => Math.round(v * 100) / 100
const summary = (values: number[]) => ({
  runs: values.length,
  p50: ms(quantile(values, 0.5)),
  p95: ms(quantile(values, 0.95)),
  max: ms(Math.max(...values)),
})

async function bootApp() {
  const importer = (filePath: string) =>
    filePath.startsWith('./') || filePath.startsWith('../')
      ? import(new URL(filePath, ROOT).href)
      : import(filePath)
  const app = new Ignitor(ROOT, { importer }).createApp('console')
  app.booting(async () => {
    await import('#start/env')
  })
  await app.init()
  await app.boot()
  await app.start(() => {})
  return app
}

async function generate() {
  const mysql = (await import('mysql2/promise')).default
  const connection = await mysql.createConnection({
    host: process.env.DB_HOST || '127.0.0.1',
    port: Number(process.env.DB_PORT || 3306),
    user: process.env.DB_USER || 'root',
    password: process.env.DB_PASSWORD || '',
  })
  await connection.query(`DROP DATABASE IF EXISTS \`${DB}\``)
  await connection.query(
    `CREATE DATABASE \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
  )
  await connection.end()
  const migrated = spawnSync(process.execPath, ['ace.js', 'migration:run', '--force'], {
    cwd: ROOT,
    env: process.env,
    stdio: 'inherit',
  })
  if (migrated.status !== 0) throw new Error('migrations failed')
}

async function seed() {
  const { default: db } = await import('@adonisjs/lucid/services/db')
  const { importAllCatalogues } = await import('#app/catalogue/catalogue_import')
  const { activeCatalogues } = await import('#app/recognition/services/eligibility')
  const t0 = performance.now()
  await importAllCatalogues()
  await activeCatalogues()
  const raw = (sql: string) => db.rawQuery(sql)
  await raw('SET SESSION unique_checks = 0, foreign_key_checks = 0')
  await raw(
    `INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at) VALUES (1, 'LEAD', '基准县医院', 'lead_hospital', '二级甲等', 1, NOW(), NOW())`
  )
  await raw(`INSERT INTO institutions (id, code, name, kind, level, active, created_at, updated_at)
    SELECT seq + 1, CONCAT('B', LPAD(seq, 3, '0')), CONCAT('基准卫生院', seq), 'member_clinic', '一级', 1, NOW(), NOW() FROM seq_1_to_${CLINICS}`)
  await raw(`INSERT INTO users (id, institution_id, username, full_name, password, role, status, failed_login_count, created_at, updated_at)
    SELECT seq, seq + 1, CONCAT('bench', seq), '基准护士', '!', 'clinic_staff', 'active', 0, NOW(), NOW() FROM seq_1_to_${CLINICS}`)
  await raw(
    `INSERT INTO users (id, institution_id, username, full_name, password, role, status, failed_login_count, created_at, updated_at) VALUES (1000, 1, 'bench.rad', '基准医师', '!', 'radiologist', 'active', 0, NOW(), NOW())`
  )
  say(`${PATIENTS} patients, each registered at its home clinic and at the next one…`)
  await raw(
    `INSERT INTO patients (id, name, sex, birth_date, created_at, updated_at) SELECT seq, CONCAT('患者', seq), IF(seq % 2, 'M', 'F'), '1970-01-01' + INTERVAL (seq % 20000) DAY, NOW(), NOW() FROM seq_1_to_${PATIENTS}`
  )
  await raw(
    `INSERT INTO clinic_patients (id, patient_id, institution_id, clinic_patient_no, created_at) SELECT seq, seq, 2 + (seq % ${CLINICS}), CONCAT('P', seq), NOW() FROM seq_1_to_${PATIENTS}`
  )
  await raw(
    `INSERT INTO clinic_patients (id, patient_id, institution_id, clinic_patient_no, created_at) SELECT ${PATIENTS} + seq, seq, 2 + ((seq + 1) % ${CLINICS}), CONCAT('Q', seq), NOW() FROM seq_1_to_${PATIENTS}`
  )
  // 30 common chuanyu DR and CT items
  const items = (
    await db
      .from('exam_items')
      .where('catalogue', 'chuanyu')
      .whereIn('modality', ['DR', 'CT'])
      .orderBy('seq')
      .limit(30)
      .select('id', 'modality')
  ).map((r) => ({ id: Number(r.id), modality: r.modality }))
  await raw(`CREATE TEMPORARY TABLE bench_items (n INT PRIMARY KEY, id INT, modality VARCHAR(4))`)
  await db
    .table('bench_items')
    .multiInsert(items.map((item, n) => ({ n, id: item.id, modality: item.modality })))
  say(`${EXAMS} signed exams over the last year…`)
  await raw(`INSERT INTO exams (id, accession_number, patient_id, institution_id, modality, priority, status, clinical_history, purpose, requesting_doctor, registered_at, images_received_at, report_signed_at, instance_count, created_at, updated_at)
    SELECT s.seq, CONCAT('B', LPAD(s.seq, 9, '0')), 1 + (s.seq % ${PATIENTS}), 2 + ((1 + (s.seq % ${PATIENTS})) % ${CLINICS}), bi.modality, 'routine', 'signed', '咳嗽', '排除肺炎', '医生',
      UTC_TIMESTAMP() - INTERVAL (s.seq % 525600) MINUTE, UTC_TIMESTAMP() - INTERVAL (s.seq % 525600) MINUTE + INTERVAL 20 MINUTE, UTC_TIMESTAMP() - INTERVAL (s.seq % 525600) MINUTE + INTERVAL 90 MINUTE, 1, NOW(), NOW()
    FROM seq_1_to_${EXAMS} s JOIN bench_items bi ON bi.n = (s.seq * 7) % ${items.length}`)
  await raw(
    `INSERT INTO exam_exam_items (exam_id, exam_item_id) SELECT e.id, bi.id FROM exams e JOIN bench_items bi ON bi.n = (e.id * 7) % ${items.length}`
  )
  say('reports of the last 40 days, evaluations, 40 clinics × 366 days of data-quality rows…')
  await raw(`INSERT INTO report_versions (exam_id, version_no, status, technique, findings, impression, author_id, last_modified_by_id, signer_id, revision, signed_at, created_at, updated_at)
    SELECT id, 1, 'signed', '后前位', '两肺纹理清晰。', '心肺未见异常。', 1000, 1000, 1000, 1, report_signed_at, report_signed_at, report_signed_at FROM exams WHERE registered_at >= UTC_TIMESTAMP() - INTERVAL 40 DAY`)
  await raw(`INSERT INTO recognition_item_evaluations (institution_id, exam_item_id, passed, evaluated_on, valid_until, created_at, updated_at)
    SELECT i.id, bi.id, 1, CURDATE() - INTERVAL 400 DAY, CURDATE() + INTERVAL 400 DAY, NOW(), NOW() FROM institutions i JOIN bench_items bi WHERE i.kind = 'member_clinic'`)
  await raw(`INSERT INTO recognition_dq_days (institution_id, day, uploads, uploads_timely, reports, reports_timely, consistency_checked, consistency_ok, fields_expected, fields_present, fields_checked, fields_accurate, longest_gap_minutes, working_day, gap_over_24h, computed_at)
    SELECT i.id, CURDATE() - INTERVAL s.seq DAY, 70, 66, 70, 68, 140, 139, 910, 880, 420, 400, 300 + (s.seq % 7) * 200, DAYOFWEEK(CURDATE() - INTERVAL s.seq DAY) NOT IN (1, 7), (s.seq % 29) = 0, NOW()
    FROM institutions i JOIN seq_0_to_365 s WHERE i.kind = 'member_clinic'`)
  await raw('ANALYZE TABLE exams, exam_exam_items, report_versions, recognition_dq_days')
  say(`seeded in ${Math.round((performance.now() - t0) / 1000)} s`)
}

async function main() {
  if (!process.env.BENCH_REUSE) await generate()
  const app = await bootApp()
  try {
    if (!process.env.BENCH_REUSE) await seed()
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const { default: User } = await import('#models/user')
    const { RepeatExamCheck } = await import('#app/recognition/services/repeat_exam_check')
    const { SystemClock } = await import('#app/platform/clock')
    const { ExamRegistration } = await import('#app/intake/services/exam_registration')
    const { dataQualityByClinic, dataQualityDays } =
      await import('#app/recognition/services/data_quality')
    const { DateTime } = await import('luxon')
    const check = new RepeatExamCheck(new SystemClock())
    const users = await User.query().where('role', 'clinic_staff')
    const byClinic = new Map(users.map((u) => [u.institutionId, u]))
    const items = (await db.from('exam_exam_items').distinct('exam_item_id')).map((r) =>
      Number(r.exam_item_id)
    )
    const totalExams = Number((await db.from('exams').count('* as n').first()).n)

    // A. the check a registration runs: a patient registered at this clinic, an item, with and without a reminder
    const timesCheck: number[] = []
    let reminded = 0
    let n = 0
    const patientCount = Number((await db.from('patients').count('* as n').first()).n)
    const patientFor = async (i: number) => {
      const patientId =
        1 + Math.floor((((i * 2654435761) % 4294967296) / 4294967296) * patientCount)
      return db
        .from('clinic_patients')
        .where('patient_id', patientId)
        .where('clinic_patient_no', 'like', 'Q%')
        .first()
    }
    for (let i = 0; i < RUNS; i++) {
      const clinicPatient = await patientFor(i)
      if (!clinicPatient) continue
      const user = byClinic.get(Number(clinicPatient.institution_id))!
      const itemId = items[i % items.length]
      const start = performance.now()
      try {
        await check.check(user, {
          clinicPatientId: Number(clinicPatient.id),
          itemIds: [itemId],
          requestingDoctor: '医生',
        })
      } catch (error: any) {
        if (error?.code !== 'repeat_exam_reminder') throw error
        reminded++
      }
      timesCheck.push(performance.now() - start)
      n++
    }

    // A2. the whole registration (ExamRegistration.registerRequest: checks, the transaction, the exam and its
    // items), once with the reminder's lookup and once with a check whose lookup finds nothing without asking
    // the database, interleaved (the order alternating) so both see the same load. Runs where the lookup found a
    // result to remind are refused before saving (409) and left out of both columns, counted apart.
    class NoLookup extends RepeatExamCheck {
      protected async find() {
        return []
      }
    }
    // The lookup as it was before the UNION ALL (issue 13, re-measured): the settings, the exams and the outside
    // results as three reads in parallel. Only its no-candidate path is timed (runs that remind are left out).
    const { candidateQueries: reads } = await import('#app/recognition/services/repeat_exam_check')
    const { recognitionSettings } = await import('#app/recognition/services/recognition_settings')
    class ParallelReads extends RepeatExamCheck {
      protected async find(user: any, patientId: number, itemIds: number[]) {
        const since = DateTime.utc().minus({ days: 366 + 7 })
        const { candidatesQuery, externalQuery } = reads(patientId, itemIds, since)
        const [, exams, external] = await Promise.all([
          recognitionSettings(),
          candidatesQuery,
          externalQuery,
        ])
        if (!exams.length && !external.length) return []
        return super.find(user, patientId, itemIds)
      }
    }
    const clock = new SystemClock()
    const withLookup = new ExamRegistration(clock, new RepeatExamCheck(clock))
    const withoutLookup = new ExamRegistration(clock, new NoLookup(clock))
    const withPrevious = new ExamRegistration(clock, new ParallelReads(clock))
    const timesWith: number[] = []
    const timesWithout: number[] = []
    const timesAdded: number[] = []
    const timesPrevious: number[] = []
    const timesAddedPrevious: number[] = []
    let registrationReminded = 0
    for (let i = 0; i < RUNS; i++) {
      const clinicPatient = await patientFor(RUNS + i)
      if (!clinicPatient) continue
      const user = byClinic.get(Number(clinicPatient.institution_id))!
      const input = {
        clinicPatientId: Number(clinicPatient.id),
        itemIds: [items[(i * 11) % items.length]],
        priority: 'routine' as const,
        clinicalHistory: '咳嗽三天',
        purpose: '排除肺炎',
        requestingDoctor: '医生',
      }
      const timed = async (registration: InstanceType<typeof ExamRegistration>) => {
        const s = performance.now()
        await registration.registerRequest(user, input)
        return performance.now() - s
      }
      try {
        // the three arms in a rotating order, so each sees the same load on average
        const arms = [withLookup, withoutLookup, withPrevious]
        const order = [arms[i % 3], arms[(i + 1) % 3], arms[(i + 2) % 3]]
        const took = new Map<unknown, number>()
        for (const arm of order) took.set(arm, await timed(arm))
        const a = took.get(withLookup)!
        const b = took.get(withoutLookup)!
        const c = took.get(withPrevious)!
        timesWith.push(a)
        timesWithout.push(b)
        timesAdded.push(a - b)
        timesPrevious.push(c)
        timesAddedPrevious.push(c - b)
      } catch (error: any) {
        if (error?.code !== 'repeat_exam_reminder') throw error
        registrationReminded++
      }
    }
    // The reminder's own two reads for a patient with exams, as find() builds them (the SQL the app sends).
    const { candidateQueries } = await import('#app/recognition/services/repeat_exam_check')
    const { MAX_WINDOW_DAYS } = await import('#app/recognition/services/recognition_settings')
    const { candidatesQuery, externalQuery } = candidateQueries(
      12345,
      [items[0]],
      DateTime.utc().minus({ days: MAX_WINDOW_DAYS + 7 })
    )
    const candidateSql = candidatesQuery.toQuery()
    const explain = await db.rawQuery(`EXPLAIN ${candidateSql}`)
    const explainBefore = await db.rawQuery(
      `EXPLAIN ${candidateSql.replace(/from `exams`/, 'from `exams` IGNORE INDEX (exams_patient_modality_time_index)')}`
    )
    const analyze = await db.rawQuery(`ANALYZE ${candidateSql}`)
    const explainExternal = await db.rawQuery(`EXPLAIN ${externalQuery.toQuery()}`)

    // B. the data-quality page's figures
    const clinicIds = [...byClinic.keys()]
    const zone = 'Asia/Shanghai'
    const now = DateTime.now().setZone(zone)
    const month: number[] = []
    const year: number[] = []
    const days: number[] = []
    for (let i = 0; i < 200; i++) {
      let s = performance.now()
      await dataQualityByClinic(
        now.startOf('month').minus({ months: i % 12 }),
        now.startOf('month').minus({ months: (i % 12) - 1 }),
        clinicIds
      )
      month.push(performance.now() - s)
      s = performance.now()
      await dataQualityByClinic(now.minus({ months: 12 }), now, clinicIds)
      year.push(performance.now() - s)
      s = performance.now()
      await dataQualityDays(
        clinicIds[i % clinicIds.length],
        now.minus({ months: 1 }).toISODate()!,
        now.toISODate()!
      )
      days.push(performance.now() - s)
    }
    const explainDq = await db.rawQuery(
      `EXPLAIN SELECT institution_id, SUM(uploads) FROM recognition_dq_days WHERE institution_id IN (${clinicIds.join(',')}) AND day >= CURDATE() - INTERVAL 365 DAY AND day < CURDATE() GROUP BY institution_id`
    )

    const result = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
      exams: totalExams,
      reminderCheck: { ...summary(timesCheck), checked: n, reminded },
      registration: {
        withLookup: summary(timesWith),
        withoutLookup: summary(timesWithout),
        addedByLookup: summary(timesAdded),
        withPreviousLookup: summary(timesPrevious),
        addedByPreviousLookup: summary(timesAddedPrevious),
        remindedLeftOut: registrationReminded,
      },
      reminderExplain: explain[0],
      reminderExplainBefore: explainBefore[0],
      reminderAnalyze: analyze[0],
      externalExplain: explainExternal[0],
      dataQuality: {
        oneMonth40Clinics: summary(month),
        twelveMonths40Clinics: summary(year),
        oneClinicDays: summary(days),
      },
      dataQualityExplain: explainDq[0],
    }
    mkdirSync(new URL('results/', import.meta.url), { recursive: true })
    writeFileSync(
      new URL('results/recognition.json', import.meta.url),
      JSON.stringify(result, null, 2)
    )
    console.log(
      JSON.stringify(
        {
          ...result,
          reminderExplain: undefined,
          reminderExplainBefore: undefined,
          reminderAnalyze: undefined,
          externalExplain: undefined,
          dataQualityExplain: undefined,
        },
        null,
        2
      )
    )
    console.table(result.reminderExplainBefore)
    console.table(result.reminderExplain)
    console.table(result.reminderAnalyze)
    console.table(result.externalExplain)
    console.table(result.dataQualityExplain)
  } finally {
    await app.terminate()
  }
}

await main()

import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import ExcelJS from 'exceljs'
import AuditEvent from '#models/audit_event'
import Equipment from '#models/equipment'
import StaffingPlan from '#models/staffing_plan'
import StaffingRatioSet from '#models/staffing_ratio_set'
import type Institution from '#models/institution'
import { Clock, ManualClock } from '#app/platform/clock'
import { StaffingCalculator } from '#app/staffing/services/staffing_calculator'
import { StaffingRatios } from '#app/staffing/services/staffing_ratios'
import { StaffingPlans } from '#app/staffing/services/staffing_plans'
import { ApiRequest } from '@japa/api-client'
import { emptyWorkload } from '#app/staffing/services/staffing_rules'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import {
  itemsByCategory,
  examWith,
  staff,
  device,
  leadHospitalStartingEmpty,
} from '#tests/support/staffing_fixtures'

/*
| The calculator against real exam rows in MySQL. Time is a ManualClock far from
| today (mid-2016), so exams other tests leave behind never fall in the window.
| "Today" in the hospital is 2016-07-01; the default period is 2015-07-01 … 2016-06-30.
*/
const NOW = '2016-07-01T04:00:00Z'
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Asia/Shanghai' })

interface County {
  lead: Institution
  memberA: Institution
  memberB: Institution
}

/**
 * Twelve months of work (mid-month each month, July 2015 … June 2016):
 *  member A: one DR exam of 2 body parts, signed                         → DR 24
 *  member B: one plain CT (1 part, images received) + one contrast CT
 *            (1 part, pending review)                                     → CT 12, contrast CT 12
 *  lead:     one MR exam of plain + contrast (2 parts), in progress       → MRI 12, contrast MRI 12
 * Plus what must and must not count:
 *  - member A: a registered exam every month (never done)                 → not counted
 *  - member B: a signed CT whose images time was never stamped (2016-03)  → counted by registration: CT 13
 *  - lead: contrast MR registered 2015-06-28, images 2015-07-02           → counted by images: contrast MRI 13
 *  - member A: signed DR 2015-06-10 (before) and 2016-07-01 (today)       → not counted
 */
async function yearOfWork(): Promise<County> {
  const lead = await leadHospitalStartingEmpty()
  const memberA = await make.institution('member_clinic')
  const memberB = await make.institution('member_clinic')
  const items = await itemsByCategory()
  for (let m = 0; m < 12; m++) {
    const at = local('2015-07-15T10:00:00').plus({ months: m })
    await examWith(memberA, items.dr.slice(0, 2), { status: 'signed', registeredAt: at.toUTC() })
    await examWith(memberA, items.dr.slice(0, 1), {
      status: 'registered',
      registeredAt: at.toUTC(),
    })
    await examWith(memberB, items.ct_plain.slice(0, 1), {
      status: 'images_received',
      registeredAt: at.toUTC(),
    })
    await examWith(memberB, items.ct_contrast.slice(0, 1), {
      status: 'pending_review',
      registeredAt: at.toUTC(),
    })
    await examWith(lead, [items.mri_plain[0], items.mri_contrast[0]], {
      status: 'in_progress',
      registeredAt: at.toUTC(),
    })
  }
  await examWith(memberB, items.ct_plain.slice(1, 2), {
    status: 'signed',
    registeredAt: local('2016-03-03T09:00:00').toUTC(),
    imagesReceivedAt: null,
  })
  await examWith(lead, items.mri_contrast.slice(1, 2), {
    status: 'signed',
    registeredAt: local('2015-06-28T09:00:00').toUTC(),
    imagesReceivedAt: local('2015-07-02T09:00:00').toUTC(),
  })
  await examWith(memberA, items.dr.slice(0, 1), {
    status: 'signed',
    registeredAt: local('2015-06-10T09:00:00').toUTC(),
  })
  await examWith(memberA, items.dr.slice(0, 1), {
    status: 'signed',
    registeredAt: local('2016-07-01T09:00:00').toUTC(),
  })
  return { lead, memberA, memberB }
}

function useClock(group: { each: { setup: (fn: () => any) => void } }) {
  group.each.setup(() => {
    const clock = new ManualClock(NOW)
    app.container.swap(Clock, () => clock)
    return () => app.container.restore(Clock)
  })
}

test.group('Staffing calculator: workload from recorded exams', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  useClock(group)

  test('counts body parts of exams done in the last 12 months, per Table 1 category', async ({
    assert,
  }) => {
    const county = await yearOfWork()
    const calculator = await app.container.make(StaffingCalculator)
    const result = await calculator.calculate({ source: 'recorded', adjustments: emptyWorkload() })

    assert.deepEqual(result.workload.period, { from: '2015-07-01', to: '2016-06-30', months: 12 })
    const read = Object.fromEntries(result.workload.lines.map((l) => [l.category, l.read.counted]))
    assert.deepEqual(read, {
      ct_plain: 13,
      mri_plain: 12,
      dr: 24,
      ct_contrast: 12,
      mri_contrast: 13,
    })
    // performed at the lead hospital: only its own MR exams
    const performed = Object.fromEntries(
      result.workload.lines.map((l) => [l.category, l.performed.counted])
    )
    assert.deepEqual(performed, {
      ct_plain: 0,
      mri_plain: 12,
      dr: 0,
      ct_contrast: 0,
      mri_contrast: 13,
    })
    // a full year: annual = counted
    assert.deepEqual(result.workload.read, {
      ct_plain: 13,
      mri_plain: 12,
      dr: 24,
      ct_contrast: 12,
      mri_contrast: 13,
    })

    // Table 1 on those numbers, by hand: contrast MRI 13 ÷ 6,000 × 1.5 = 0.00325 → 0.003 technologists
    const line = result.lead.requirement.lines.find((l) => l.category === 'mri_contrast')!
    assert.deepEqual(line.fte, {
      initialReaders: 0.002,
      reviewers: 0.001,
      technologists: 0.003,
      nurses: 0.003,
    })
    // so little work: the small-centre floor decides
    assert.deepEqual(result.lead.requirement.planned, {
      doctors: 8,
      reviewers: 1,
      technologists: 5,
      nurses: 2,
    })

    const memberA = result.members.find((m) => m.institution.id === county.memberA.id)!
    assert.deepEqual(memberA.workload, {
      ct_plain: 0,
      mri_plain: 0,
      dr: 24,
      ct_contrast: 0,
      mri_contrast: 0,
    })
    const memberB = result.members.find((m) => m.institution.id === county.memberB.id)!
    assert.deepEqual(memberB.workload, {
      ct_plain: 13,
      mri_plain: 0,
      dr: 0,
      ct_contrast: 12,
      mri_contrast: 0,
    })
  })

  test('a chosen half year is annualised: counted × 12 ÷ 6', async ({ assert }) => {
    await yearOfWork()
    const calculator = await app.container.make(StaffingCalculator)
    const result = await calculator.calculate({
      source: 'recorded',
      from: '2016-01-01',
      to: '2016-06-30',
      adjustments: emptyWorkload(),
    })
    assert.equal(result.workload.period!.months, 6)
    const dr = result.workload.lines.find((l) => l.category === 'dr')!
    assert.equal(dr.read.counted, 12)
    assert.equal(dr.read.annual, 24)
    const ct = result.workload.lines.find((l) => l.category === 'ct_plain')!
    // Jan…Jun: 6 mid-month plus the March exam counted by its registration
    assert.equal(ct.read.counted, 7)
    assert.equal(ct.read.annual, 14)
  })

  test("what-if: typed workload with CT +20% gives the table's numbers", async ({ assert }) => {
    const calculator = await app.container.make(StaffingCalculator)
    const typed = {
      read: { ...emptyWorkload(), ct_plain: 15000 },
      performed: { ...emptyWorkload(), ct_plain: 15000 },
    }
    const plain = await calculator.calculate({
      source: 'typed',
      typed,
      adjustments: emptyWorkload(),
    })
    const line = plain.lead.requirement.lines.find((l) => l.category === 'ct_plain')!
    assert.deepEqual(line.fte, { initialReaders: 1, reviewers: 0.6, technologists: 0.6, nurses: 0 })
    const plus = await calculator.calculate({
      source: 'typed',
      typed,
      adjustments: { ...emptyWorkload(), ct_plain: 20 },
    })
    const grown = plus.lead.requirement.lines.find((l) => l.category === 'ct_plain')!
    assert.equal(grown.readBodyParts, 18000)
    assert.deepEqual(grown.fte, {
      initialReaders: 1.2,
      reviewers: 0.72,
      technologists: 0.72,
      nurses: 0,
    })
  })

  test('refuses a period that ends before it starts, ends in the future, or is too short', async ({
    assert,
  }) => {
    const calculator = await app.container.make(StaffingCalculator)
    const codeOf = async (from: string, to: string) => {
      try {
        await calculator.calculate({ source: 'recorded', from, to, adjustments: emptyWorkload() })
        return 'accepted'
      } catch (error: any) {
        return error.code
      }
    }
    assert.equal(await codeOf('2016-03-01', '2016-02-01'), 'period_reversed')
    assert.equal(await codeOf('2016-01-01', '2016-07-02'), 'period_in_future')
    assert.equal(await codeOf('2016-06-10', '2016-06-30'), 'period_too_short')
    assert.equal(await codeOf('2012-01-01', '2016-06-30'), 'period_too_long')
  })

  test('the gap: roster and devices against the plan, for the lead hospital and each member', async ({
    assert,
  }) => {
    const county = await yearOfWork()
    await staff(county.lead, 'doctor', 'junior')
    await staff(county.lead, 'doctor', 'junior', { fte: 0.5 })
    await staff(county.lead, 'doctor', 'intermediate')
    await staff(county.lead, 'technologist', 'junior')
    await staff(county.lead, 'nurse', 'junior', { fte: 0.5 })
    await staff(county.lead, 'nurse', 'junior', { fte: 0.5 })
    await device(county.memberA, 'dr')
    await staff(county.memberA, 'technologist', 'junior')
    await device(county.memberB, 'dr')
    await device(county.memberB, 'ct', { contrastCapable: true })
    await device(county.memberB, 'dr', { status: 'retired' })
    for (let i = 0; i < 3; i++) await staff(county.memberB, 'technologist', 'junior')

    const calculator = await app.container.make(StaffingCalculator)
    const result = await calculator.calculate({ source: 'recorded', adjustments: emptyWorkload() })
    const gap = Object.fromEntries(result.lead.gap.map((g) => [g.role, g]))
    assert.equal(gap.doctors.actualFte, 2.5)
    assert.equal(gap.doctors.gap, -5.5)
    assert.equal(gap.doctors.toAdd, 6)
    assert.equal(gap.technologists.gap, -4)
    // two half-time nurses meet the floor of 2 (专/兼职)
    assert.isTrue(gap.nurses.met)
    assert.equal(gap.intermediate.gap, -1)

    const a = result.members.find((m) => m.institution.id === county.memberA.id)!
    assert.deepEqual(a.required, { technologists: 2, nurses: 0 })
    assert.equal(a.gap.technologists.gap, -1)
    const b = result.members.find((m) => m.institution.id === county.memberB.id)!
    assert.equal(b.devices, 2)
    assert.deepEqual(b.required, { technologists: 3, nurses: 1 })
    assert.isTrue(b.gap.technologists.met)
    assert.isFalse(b.gap.nurses.met)
    assert.deepEqual(a.equipmentMissing, [])
    assert.include(result.lead.equipmentMissing, 'mri')
  })
})

test.group('Staffing pages and API (administrators only)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  useClock(group)

  test('an administrator sees the workload, the arithmetic and the gap on the calculator', async ({
    client,
    assert,
  }) => {
    const county = await yearOfWork()
    await staff(county.lead, 'doctor', 'intermediate')
    const admin = await make.user('admin', county.lead)
    const response = await client.get('/admin/staffing').loginAs(admin)
    response.assertStatus(200)
    const html = response.text()
    assert.include(html, '2015-07-01')
    assert.include(html, '13 ÷ 6,000 × 1.5 = 0.003')
    assert.match(
      html,
      /<tr data-role="doctors" class="short">[\s\S]*?<td class="gap" data-field="gap">−7.00<\/td>/
    )
    assert.include(html, '<svg')
  })

  test('a bad period is shown on the page, with the form kept, and nothing is computed', async ({
    client,
  }) => {
    const admin = await make.user('admin')
    const response = await client
      .get('/admin/staffing?from=2016-05-01&to=2016-04-01')
      .loginAs(admin)
    response.assertStatus(200)
    response.assertTextIncludes('统计截止日期早于开始日期')
    response.assertTextIncludes('value="2016-05-01"')
  })

  test('a radiologist or a clinic user is turned away, and the attempt is audited', async ({
    client,
    assert,
  }) => {
    const radiologist = await make.user('radiologist')
    const response = await client.get('/admin/staffing').loginAs(radiologist)
    response.assertStatus(403)
    const denied = await AuditEvent.query()
      .where('actor_user_id', radiologist.id)
      .where('action', 'access.area')
      .firstOrFail()
    assert.equal(denied.outcome, 'denied')

    const clinic = await make.user('clinic_staff')
    const token = await apiToken(clinic)
    const api = await client.post('/api/v1/staffing/calculations').bearerToken(token).json({})
    api.assertStatus(403)
    assert.equal(api.body().errors[0].code, 'forbidden')
  })

  test('the JSON endpoint computes the same plan; a bad period answers 422 and is audited', async ({
    client,
    assert,
  }) => {
    await yearOfWork()
    const admin = await make.user('admin')
    const token = await apiToken(admin)
    const response = await client
      .post('/api/v1/staffing/calculations')
      .bearerToken(token)
      .json({ from: '2015-07-01', to: '2016-06-30' })
    response.assertStatus(200)
    const data = response.body().data
    assert.equal(data.workload.read.dr, 24)
    assert.equal(data.ratios.version, 1)
    assert.deepEqual(data.lead.requirement.planned, {
      doctors: 8,
      reviewers: 1,
      technologists: 5,
      nurses: 2,
    })

    const typed = await client
      .post('/api/v1/staffing/calculations')
      .bearerToken(token)
      .json({
        source: 'typed',
        read: { ct_plain: 15000 },
        performed: { ct_plain: 15000 },
        adjust: { ct_plain: 20 },
      })
    typed.assertStatus(200)
    assert.equal(typed.body().data.lead.requirement.totals.initialReaders.fte, 1.2)

    const bad = await client
      .post('/api/v1/staffing/calculations')
      .bearerToken(token)
      .json({ from: '2016-03-01', to: '2016-01-01' })
    bad.assertStatus(422)
    assert.equal(bad.body().errors[0].code, 'period_reversed')
    const refused = await AuditEvent.query()
      .where('action', 'staffing.calculate')
      .where('outcome', 'refused')
      .firstOrFail()
    assert.equal(refused.details!.code, 'period_reversed')

    const invalid = await client
      .post('/api/v1/staffing/calculations')
      .bearerToken(token)
      .json({ read: { dr: -5 }, source: 'typed' })
    invalid.assertStatus(422)
    assert.equal(invalid.body().errors[0].field, 'read.dr')
  })
})

test.group('Staffing plans and ratio history', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  useClock(group)
  // Exports are binary: collect them as a Buffer instead of decoding them as text.
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  group.setup(() => {
    const binary = (res: any, done: (error: Error | null, body: any) => void) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => done(null, Buffer.concat(chunks)))
    }
    ApiRequest.addParser(XLSX, binary)
    ApiRequest.addParser('application/pdf', binary)
    return () => {
      ApiRequest.removeParser(XLSX)
      ApiRequest.removeParser('application/pdf')
    }
  })

  test('a saved plan keeps its input, the ratios it used and its result; a second save of the same name is refused', async ({
    client,
    assert,
  }) => {
    await yearOfWork()
    const admin = await make.user('admin')
    const form = {
      'source': 'typed',
      'name': '2017 年 CT +20%',
      'read[ct_plain]': '15000',
      'performed[ct_plain]': '15000',
      'adjust[ct_plain]': '20',
    }
    const saved = await client
      .post('/admin/staffing/plans')
      .loginAs(admin)
      .withCsrfToken()
      .form(form)
      .redirects(0)
    saved.assertStatus(302)
    const plan = await StaffingPlan.findByOrFail('name', '2017 年 CT +20%')
    assert.equal(saved.header('location'), `/admin/staffing/plans/${plan.id}`)
    assert.equal(plan.ratios.version, 1)
    assert.equal(plan.input.adjustments.ct_plain, 20)
    assert.equal(plan.result.lead.requirement.totals.initialReaders.fte, 1.2)

    const replay = await client
      .post('/admin/staffing/plans')
      .loginAs(admin)
      .withCsrfToken()
      .form(form)
      .redirects(0)
    replay.assertStatus(302)
    assert.equal((await StaffingPlan.query().where('name', '2017 年 CT +20%')).length, 1)
    const refused = await AuditEvent.query()
      .where('action', 'staffing.plan.save')
      .where('outcome', 'refused')
      .firstOrFail()
    assert.equal(refused.details!.code, 'plan_name_taken')

    const page = await client.get(`/admin/staffing/plans/${plan.id}`).loginAs(admin)
    page.assertStatus(200)
    page.assertTextIncludes('18,000 ÷ 15,000 × 0.6 = 0.720')
  })

  test('changing the ratios makes a new version; a replayed or stale form is refused; old plans keep theirs', async ({
    client,
    assert,
  }) => {
    const admin = await make.user('admin')
    const ratios = await app.container.make(StaffingRatios)
    const v1 = await ratios.currentSnapshot()
    const planService = await app.container.make(StaffingPlans)
    const before = await planService.save(
      admin,
      { name: 'before the change' },
      {
        source: 'typed',
        typed: { read: { ...emptyWorkload(), dr: 20000 }, performed: emptyWorkload() },
        adjustments: emptyWorkload(),
      }
    )

    const form: Record<string, string> = {
      baseVersion: String(v1.version),
      note: '正式稿：DR 每 18000 部位配 1 名初诊医师',
      floorDoctors: '8',
      floorTechnologists: '5',
      floorNurses: '2',
      minIntermediatePct: '20',
      minSeniorPct: '10',
      memberTechnologistsFirstDevice: '2',
      memberTechnologistsPerAdditionalDevice: '1',
      memberNursesPerContrastDevice: '1',
    }
    for (const row of v1.rows) {
      form[`rows[${row.category}][bodyPartsPerUnit]`] = String(
        row.category === 'dr' ? 18000 : row.bodyPartsPerUnit
      )
      for (const role of ['initialReaders', 'reviewers', 'technologists', 'nurses'] as const)
        form[`rows[${row.category}][${role}]`] = String(row[role])
    }
    const changed = await client
      .post('/admin/staffing/ratios')
      .loginAs(admin)
      .withCsrfToken()
      .form(form)
      .redirects(0)
    changed.assertStatus(302)
    const v2 = await ratios.current()
    assert.equal(v2.version, v1.version + 1)
    assert.equal(v2.createdById, admin.id)
    assert.equal(v2.rows.find((r) => r.category === 'dr')!.bodyPartsPerUnit, 18000)

    // the same form again (stale base version): refused, nothing added
    const replay = await client
      .post('/admin/staffing/ratios')
      .loginAs(admin)
      .withCsrfToken()
      .form(form)
      .redirects(0)
    replay.assertStatus(302)
    assert.equal(
      await StaffingRatioSet.query()
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      2
    )
    const refused = await AuditEvent.query()
      .where('action', 'staffing.ratios.revise')
      .where('outcome', 'refused')
      .firstOrFail()
    assert.equal(refused.details!.code, 'ratios_changed')

    // a form that changes nothing is refused too
    await assert.rejects(
      () =>
        ratios.revise(admin, v2.version, {
          note: 'no change',
          rows: StaffingRatios.snapshot(v2).rows,
          floor: StaffingRatios.snapshot(v2).floor,
          titleMix: StaffingRatios.snapshot(v2).titleMix,
          memberRule: StaffingRatios.snapshot(v2).memberRule,
        }),
      /staffing.ratios.unchanged/
    )

    await before.refresh()
    assert.equal(before.ratios.version, v1.version)
    assert.equal(before.result.lead.requirement.totals.initialReaders.fte, 1)
    const after = await planService.save(
      admin,
      { name: 'after the change' },
      {
        source: 'typed',
        typed: { read: { ...emptyWorkload(), dr: 20000 }, performed: emptyWorkload() },
        adjustments: emptyWorkload(),
      }
    )
    assert.equal(after.ratios.version, v2.version)
    assert.equal(after.result.lead.requirement.totals.initialReaders.fte, 1.111)

    const history = await client.get('/admin/staffing/ratios').loginAs(admin)
    history.assertTextIncludes('正式稿：DR 每 18000 部位配 1 名初诊医师')
    history.assertTextIncludes(`data-version="${v1.version}"`)
  })

  test('plans compare side by side and export to Excel and PDF', async ({ client, assert }) => {
    const admin = await make.user('admin')
    const service = await app.container.make(StaffingPlans)
    const typed = (ct: number) => ({
      source: 'typed' as const,
      typed: {
        read: { ...emptyWorkload(), ct_plain: ct },
        performed: { ...emptyWorkload(), ct_plain: ct },
      },
      adjustments: emptyWorkload(),
    })
    const small = await service.save(admin, { name: '现状' }, typed(15000))
    const big = await service.save(admin, { name: '扩张' }, typed(150000))

    const compare = await client
      .get(`/admin/staffing/plans/compare?ids=${small.id}&ids=${big.id}`)
      .loginAs(admin)
    compare.assertStatus(200)
    compare.assertTextIncludes('现状')
    compare.assertTextIncludes('扩张')
    assert.equal((compare.text().match(/<svg /g) ?? []).length, 2)

    const one = await client
      .get(`/admin/staffing/plans/compare?ids=${small.id}`)
      .loginAs(admin)
      .redirects(0)
    one.assertStatus(302)

    const xlsx = await client.get(`/admin/staffing/plans/${big.id}/xlsx`).loginAs(admin)
    xlsx.assertStatus(200)
    assert.include(xlsx.header('content-type'), 'spreadsheetml')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(xlsx.body())
    assert.deepEqual(
      workbook.worksheets.map((s) => s.name),
      ['概要', '工作量', '表1测算', '缺口', '成员单位', '参数']
    )
    const arithmetic = workbook.getWorksheet('表1测算')!
    assert.equal(arithmetic.getRow(2).getCell(2).value, '150,000 ÷ 15,000 × 1 = 10.000')

    const pdf = await client.get(`/admin/staffing/plans/${big.id}/pdf`).loginAs(admin)
    pdf.assertStatus(200)
    assert.equal(pdf.header('content-type'), 'application/pdf')
    assert.equal((pdf.body() as Buffer).subarray(0, 5).toString(), '%PDF-')
    const exports = await AuditEvent.query().where('action', 'staffing.plan.export')
    assert.lengthOf(exports, 2)

    const deleted = await client
      .delete(`/admin/staffing/plans/${small.id}`)
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)
    deleted.assertStatus(302)
    assert.isNull(await StaffingPlan.find(small.id))
    ;(await client.get(`/admin/staffing/plans/${small.id}`).loginAs(admin)).assertStatus(404)
  })
})

test.group('Equipment register and roster', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  useClock(group)

  test('equipment is registered per institution and the C 6 check says what is missing; bad input changes nothing', async ({
    client,
    assert,
  }) => {
    const lead = await leadHospitalStartingEmpty()
    const admin = await make.user('admin', lead)
    const add = (fields: Record<string, string>) =>
      client
        .post('/admin/equipment')
        .loginAs(admin)
        .withCsrfToken()
        .form({ institutionId: String(lead.id), status: 'in_service', ...fields })
        .redirects(0)
    ;(
      await add({
        kind: 'ct',
        assetNo: 'CT-01',
        contrastCapable: 'true',
        installedOn: '2014-05-01',
        lastQcOn: '2016-03-01',
      })
    ).assertStatus(302)
    ;(await add({ kind: 'dr', assetNo: 'DR-01' })).assertStatus(302)

    const refusals: Array<{ fields: Record<string, string>; code: string }> = [
      { fields: { kind: 'dr', assetNo: 'CT-01' }, code: 'asset_no_taken' },
      { fields: { kind: 'dr', assetNo: 'DR-02', contrastCapable: 'true' }, code: 'contrast_kind' },
      {
        fields: {
          kind: 'mri',
          assetNo: 'MR-01',
          installedOn: '2015-01-01',
          lastQcOn: '2014-12-01',
        },
        code: 'qc_before_install',
      },
      {
        fields: { kind: 'mri', assetNo: 'MR-01', installedOn: '2016-08-01' },
        code: 'installed_future',
      },
    ]
    for (const refusal of refusals) {
      ;(await add(refusal.fields)).assertStatus(302)
      const audited = await AuditEvent.query()
        .where('action', 'equipment.create')
        .where('outcome', 'refused')
        .orderBy('id', 'desc')
        .firstOrFail()
      assert.equal(audited.details!.code, refusal.code)
    }
    // C 6 speaks of the lead hospital and the members only: an upper-level hospital keeps no register here
    const upper = await make.institution('upper_hospital')
    const elsewhere = await client
      .post('/admin/equipment')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        institutionId: String(upper.id),
        status: 'in_service',
        kind: 'ct',
        assetNo: 'UP-CT-01',
      })
      .redirects(0)
    elsewhere.assertStatus(302)
    assert.equal(
      (
        await AuditEvent.query()
          .where('action', 'equipment.create')
          .where('outcome', 'refused')
          .orderBy('id', 'desc')
          .firstOrFail()
      ).details!.code,
      'equipment_institution'
    )
    ;(await client.get(`/admin/equipment/institutions/${upper.id}`).loginAs(admin)).assertStatus(
      404
    )
    ;(await client.get(`/admin/staffing/roster/${upper.id}`).loginAs(admin)).assertStatus(404)
    assert.equal(
      await Equipment.query()
        .where('institution_id', upper.id)
        .count('* as n')
        .then((r) => Number(r[0].$extras.n)),
      0
    )

    const page = await client.get(`/admin/equipment/institutions/${lead.id}`).loginAs(admin)
    page.assertStatus(200)
    assert.equal((page.text().match(/<tr data-asset=/g) ?? []).length, 2)
    assert.match(page.text(), /<li class="missing" data-kind="mri">/)
    assert.match(page.text(), /<li class="ok" data-kind="ct">/)
    // DR-01 has no QC recorded
    page.assertTextIncludes('无质控记录')
    const ct = await Equipment.query()
      .where('institution_id', lead.id)
      .where('asset_no', 'CT-01')
      .firstOrFail()
    const edit = await client.get(`/admin/equipment/${ct.id}/edit`).loginAs(admin)
    edit.assertStatus(200)
    edit.assertTextIncludes('value="2016-03-01"')
    const retired = await client
      .put(`/admin/equipment/${ct.id}`)
      .loginAs(admin)
      .withCsrfToken()
      .form({
        institutionId: String(lead.id),
        kind: 'ct',
        assetNo: 'CT-01',
        status: 'retired',
        contrastCapable: 'true',
      })
      .redirects(0)
    retired.assertStatus(302)
    const after = await client.get(`/admin/equipment/institutions/${lead.id}`).loginAs(admin)
    // a retired CT no longer satisfies C 6.1
    assert.match(after.text(), /<li class="missing" data-kind="ct">/)
  })

  test('the roster flags certificates expired or expiring within 60 days, by the clock', async ({
    client,
    assert,
  }) => {
    const lead = await leadHospitalStartingEmpty()
    const admin = await make.user('admin', lead)
    const created = await client
      .post('/admin/staffing/staff')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        institutionId: String(lead.id),
        staffNo: 'T001',
        fullName: '王技师',
        profession: 'technologist',
        title: 'intermediate',
        fte: '1',
        active: 'true',
      })
      .redirects(0)
    created.assertStatus(302)
    const duplicate = await client
      .post('/admin/staffing/staff')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        institutionId: String(lead.id),
        staffNo: 'T001',
        fullName: '另一人',
        profession: 'nurse',
        title: 'junior',
        fte: '1',
      })
      .redirects(0)
    duplicate.assertStatus(302)
    const refused = await AuditEvent.query()
      .where('action', 'staffing.staff.create')
      .where('outcome', 'refused')
      .firstOrFail()
    assert.equal(refused.details!.code, 'staff_no_taken')

    const id = created.header('location')!.match(/staff\/(\d+)/)![1]
    const certificate = (fields: Record<string, string>) =>
      client
        .post(`/admin/staffing/staff/${id}/certificates`)
        .loginAs(admin)
        .withCsrfToken()
        .form(fields)
        .redirects(0)
    ;(await certificate({ kind: 'technologist_title', number: 'TT-1' })).assertStatus(302)
    // today is 2016-07-01: expires in 30 days
    ;(
      await certificate({
        kind: 'radiation_worker',
        issuedOn: '2012-07-31',
        expiresOn: '2016-07-31',
      })
    ).assertStatus(302)
    // a nurse's licence is not a technologist's requirement
    ;(await certificate({ kind: 'nurse_practice', expiresOn: '2020-01-01' })).assertStatus(302)
    const notFor = await AuditEvent.query()
      .where('action', 'staffing.certificate.create')
      .where('outcome', 'refused')
      .firstOrFail()
    assert.equal(notFor.details!.code, 'certificate_not_for_profession')

    const overview = await client.get('/admin/staffing/roster').loginAs(admin)
    overview.assertStatus(200)
    assert.match(
      overview.text(),
      /<tr data-flag="expiring" data-staff="T001">[\s\S]*?2016-07-31 到期（剩 30 天）/
    )

    // the institution's roster and the person's page show the same
    const rosterPage = await client.get(`/admin/staffing/roster/${lead.id}`).loginAs(admin)
    rosterPage.assertStatus(200)
    assert.match(rosterPage.text(), /<tr data-staff="T001"[\s\S]*?即将到期[\s\S]*?1 项待处理/)
    const personPage = await client.get(`/admin/staffing/staff/${id}/edit`).loginAs(admin)
    personPage.assertStatus(200)
    assert.match(
      personPage.text(),
      /id="person-flags"[\s\S]*?放射工作人员证:[\s\S]*?2016-07-31 到期（剩 30 天）/
    )
    // both required certificates are recorded: nothing left to add
    assert.notInclude(personPage.text(), 'id="add-certificate"')

    // sixty days on, it has expired
    const clock = (await app.container.make(Clock)) as ManualClock
    clock.advance({ days: 60 })
    const later = await client.get('/admin/staffing/roster').loginAs(admin)
    assert.match(
      later.text(),
      /<tr data-flag="expired" data-staff="T001">[\s\S]*?2016-07-31 过期（30 天前）/
    )
  })
})

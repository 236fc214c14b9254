import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import Exam from '#models/exam'
import AuditEvent from '#models/audit_event'
import * as make from '#tests/support/fixtures'
import { apiToken } from '#tests/support/http'
import { api, doctor, examWithImages, manualClock } from '#tests/support/reading'
import { setLimits } from '#app/reading/services/turnaround'

test.group('Reading queue: due times (R 7.1.1)', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('images arriving put the exam in the queue, due by its priority and modality: {case}')
    .with([
      { case: 'emergency DR 30 min', modality: 'DR', priority: 'emergency', minutes: 30 },
      { case: 'emergency CT 2 h', modality: 'CT', priority: 'emergency', minutes: 120 },
      { case: 'emergency MR 2 h', modality: 'MR', priority: 'emergency', minutes: 120 },
      { case: 'routine CT 24 h', modality: 'CT', priority: 'routine', minutes: 1440 },
      { case: 'special MR 48 h', modality: 'MR', priority: 'special', minutes: 2880 },
    ] as const)
    .run(async ({ assert }, row) => {
      const { restore } = manualClock('2026-11-22T03:15:00Z')
      try {
        const clinic = await make.user('clinic_staff')
        const registered = await make.exam(clinic, row.modality, row.priority)
        assert.isFalse(
          (await Exam.findOrFail(registered.exam.id)).inReadingQueue,
          'not in the queue before images arrive'
        )
        const { exam } = await examWithImages(clinic, row.modality, row.priority)
        assert.isTrue(exam.inReadingQueue)
        assert.equal(exam.status, 'images_received')
        assert.equal(
          exam.dueAt!.toUTC().toISO(),
          DateTime.fromISO('2026-11-22T03:15:00Z').plus({ minutes: row.minutes }).toUTC().toISO()
        )
      } finally {
        restore()
      }
    })

  test('a configured limit applies to exams whose images arrive after the change', async ({
    assert,
  }) => {
    const { clock, restore } = manualClock('2026-11-22T03:00:00Z')
    try {
      const clinic = await make.user('clinic_staff')
      const admin = await make.user('admin')
      const before = await examWithImages(clinic, 'DR', 'emergency')
      const changes = await setLimits(admin.id, { emergency_DR: 20 }, clock.now())
      assert.deepEqual(changes, [{ priority: 'emergency', modality: 'DR', from: 30, to: 20 }])
      const after = await examWithImages(clinic, 'DR', 'emergency')
      assert.equal(after.exam.dueAt!.diff(after.exam.imagesReceivedAt!, 'minutes').minutes, 20)
      await before.exam.refresh()
      assert.equal(before.exam.dueAt!.diff(before.exam.imagesReceivedAt!, 'minutes').minutes, 30)
      await assert.rejects(() => setLimits(admin.id, { emergency_DR: 0 }, clock.now()))
    } finally {
      restore()
    }
  })

  test('the queue is ordered by due time, with time left or overdue by the clock', async ({
    assert,
  }) => {
    const { clock, restore } = manualClock('2026-11-22T00:00:00Z')
    try {
      const clinic = await make.user('clinic_staff')
      const routine = await examWithImages(clinic, 'CT', 'routine')
      const emergency = await examWithImages(clinic, 'DR', 'emergency')
      const special = await examWithImages(clinic, 'MR', 'special')
      const token = await apiToken(await doctor('junior'))
      const queue = (query = '') =>
        api('GET', `/reading/queue?institutionId=${clinic.institutionId}${query}`, token)

      clock.set('2026-11-22T00:10:00Z')
      let page = await queue()
      assert.equal(page.status, 200, JSON.stringify(page.body))
      assert.deepEqual(
        page.body.data.map((r: any) => r.id),
        [emergency.exam.id, routine.exam.id, special.exam.id]
      )
      assert.deepEqual(
        page.body.data.map((r: any) => [r.minutesLeft, r.urgency]),
        [
          [20, 'ok'],
          [1430, 'ok'],
          [2870, 'ok'],
        ]
      )

      clock.set('2026-11-22T00:26:00Z')
      page = await queue()
      assert.deepEqual([page.body.data[0].minutesLeft, page.body.data[0].urgency], [4, 'soon'])

      clock.set('2026-11-22T00:45:00Z')
      page = await queue()
      assert.deepEqual([page.body.data[0].minutesLeft, page.body.data[0].urgency], [-15, 'overdue'])
      assert.equal(page.body.meta.total, 3)
      assert.equal(page.body.meta.overdue, 1)
    } finally {
      restore()
    }
  })
})

test.group('Reading queue: filters, pages and who may see it', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('filters by modality, clinic, priority, status and "mine"', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const otherClinic = await make.user('clinic_staff')
    const ct = await examWithImages(clinic, 'CT', 'routine')
    const dr = await examWithImages(clinic, 'DR', 'emergency')
    const mr = await examWithImages(clinic, 'MR', 'special')
    const elsewhere = await examWithImages(otherClinic, 'CT', 'routine')
    const junior = await doctor('junior')
    const token = await apiToken(junior)
    await api('POST', `/reading/exams/${mr.exam.accessionNumber}/claim`, token)

    const ids = async (query: string) =>
      (await api('GET', `/reading/queue?${query}`, token)).body.data.map((r: any) => r.id).sort()
    const mine = (list: number[]) =>
      list.filter((id) => [ct.exam.id, dr.exam.id, mr.exam.id, elsewhere.exam.id].includes(id))
    assert.deepEqual(
      await ids(`institutionId=${clinic.institutionId}`),
      [ct.exam.id, dr.exam.id, mr.exam.id].sort()
    )
    assert.deepEqual(await ids(`institutionId=${clinic.institutionId}&modality=DR`), [dr.exam.id])
    assert.deepEqual(await ids(`institutionId=${clinic.institutionId}&priority=special`), [
      mr.exam.id,
    ])
    assert.deepEqual(await ids(`institutionId=${clinic.institutionId}&status=in_progress`), [
      mr.exam.id,
    ])
    assert.deepEqual(
      await ids(`institutionId=${clinic.institutionId}&status=images_received`),
      [ct.exam.id, dr.exam.id].sort()
    )
    assert.deepEqual(
      mine(await ids(`modality=CT&limit=200`)),
      [ct.exam.id, elsewhere.exam.id].sort()
    )
    assert.deepEqual(await ids('mine=true'), [mr.exam.id])

    const bad = await api('GET', '/reading/queue?modality=XR', token)
    assert.equal(bad.status, 422)
  })

  test('pages go on from the last row seen (keyset on due time)', async ({ assert }) => {
    const { clock, restore } = manualClock('2026-11-22T00:00:00Z')
    try {
      const clinic = await make.user('clinic_staff')
      const made = []
      for (let i = 0; i < 5; i++) {
        clock.advance({ minutes: 1 })
        made.push((await examWithImages(clinic, 'CT', 'routine')).exam.id)
      }
      const token = await apiToken(await doctor('junior'))
      const first = await api(
        'GET',
        `/reading/queue?institutionId=${clinic.institutionId}&limit=2`,
        token
      )
      assert.deepEqual(
        first.body.data.map((r: any) => r.id),
        made.slice(0, 2)
      )
      const second = await api(
        'GET',
        `/reading/queue?institutionId=${clinic.institutionId}&limit=2&after=${first.body.meta.next}`,
        token
      )
      assert.deepEqual(
        second.body.data.map((r: any) => r.id),
        made.slice(2, 4)
      )
      const third = await api(
        'GET',
        `/reading/queue?institutionId=${clinic.institutionId}&limit=2&after=${second.body.meta.next}`,
        token
      )
      assert.deepEqual(
        third.body.data.map((r: any) => r.id),
        made.slice(4)
      )
      assert.isNull(third.body.meta.next)
    } finally {
      restore()
    }
  })

  test('only lead-hospital radiologists read the queue; others are refused and audited: {case}')
    .with([
      { case: 'clinic staff' },
      { case: 'upper-hospital radiologist' },
      { case: 'QC officer' },
    ])
    .run(async ({ assert }, row) => {
      const user =
        row.case === 'clinic staff'
          ? await make.user('clinic_staff')
          : row.case === 'QC officer'
            ? await make.user('qc_officer')
            : await make.user('radiologist', await make.institution('upper_hospital'), {
                title: 'senior',
              })
      const response = await api('GET', '/reading/queue', await apiToken(user))
      assert.equal(response.status, 403)
      const line = await AuditEvent.query()
        .where('action', 'reading.queue')
        .where('actor_user_id', user.id)
        .firstOrFail()
      assert.equal(line.outcome, 'denied')
    })

  test('the queue page shows time left coloured and serves its rows alone for live refresh', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'DR', 'emergency')
    const junior = await doctor('junior')
    const page = await client.get(`/reading?institutionId=${clinic.institutionId}`).loginAs(junior)
    page.assertStatus(200)
    assert.include(page.text(), exam.accessionNumber)
    assert.match(page.text(), /class="left (ok|soon|overdue)"/)
    assert.include(page.text(), '/js/reading_queue.js')

    const rows = await client
      .get(`/reading?institutionId=${clinic.institutionId}`)
      .header('X-Queue-Partial', '1')
      .loginAs(junior)
    rows.assertStatus(200)
    assert.include(rows.text(), exam.accessionNumber)
    assert.notInclude(rows.text(), '<html')
  })
})

test.group('Claims: no two doctors write the same report', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('claiming an exam someone else holds is refused, audited, and changes nothing', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const first = await doctor('junior')
    const second = await doctor('intermediate')
    assert.equal(
      (await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, await apiToken(first)))
        .status,
      200
    )

    const refused = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/claim`,
      await apiToken(second)
    )
    assert.equal(refused.status, 409)
    assert.equal(refused.body.errors[0].code, 'claimed_by_other')
    assert.include(refused.body.errors[0].message, first.fullName)
    await exam.refresh()
    assert.equal(exam.claimedById, first.id)
    const line = await AuditEvent.query()
      .where('action', 'reading.claim')
      .where('actor_user_id', second.id)
      .firstOrFail()
    assert.equal(line.outcome, 'refused')
    assert.equal((line.details as any).code, 'claimed_by_other')
  })

  test('the holder releases the exam back to the queue; only the holder may', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const holder = await doctor('junior')
    const other = await doctor('junior')
    await api('POST', `/reading/exams/${exam.accessionNumber}/claim`, await apiToken(holder))
    const notMine = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/release`,
      await apiToken(other)
    )
    assert.equal(notMine.status, 409)
    assert.equal(notMine.body.errors[0].code, 'not_your_claim')

    const released = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/release`,
      await apiToken(holder)
    )
    assert.equal(released.status, 200)
    assert.equal(released.body.data.status, 'images_received')
    assert.isNull(released.body.data.claimedById)
    const taken = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/claim`,
      await apiToken(other)
    )
    assert.equal(taken.status, 200)
    assert.equal(taken.body.data.report.authorId, other.id)
  })

  test('a senior reassigns, and what the holder typed goes with the exam; a junior may not; only to a reading doctor', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await examWithImages(clinic, 'CT')
    const holder = await doctor('junior')
    const target = await doctor('junior')
    const senior = await doctor('senior')
    const claimed = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/claim`,
      await apiToken(holder)
    )
    await api('PUT', `/reading/exams/${exam.accessionNumber}/draft`, await apiToken(holder), {
      findings: '写到一半的影像描述',
      revision: claimed.body.data.report.revision,
    })

    const byJunior = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/reassign`,
      await apiToken(target),
      { userId: target.id }
    )
    assert.equal(byJunior.status, 403)
    assert.equal(byJunior.body.errors[0].code, 'junior_cannot_reassign')
    const toClinic = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/reassign`,
      await apiToken(senior),
      { userId: clinic.id }
    )
    assert.equal(toClinic.status, 422)
    assert.equal(toClinic.body.errors[0].code, 'invalid_assignee')
    await exam.refresh()
    assert.equal(exam.claimedById, holder.id)

    const moved = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/reassign`,
      await apiToken(senior),
      { userId: target.id }
    )
    assert.equal(moved.status, 200)
    assert.equal(moved.body.data.claimedById, target.id)
    assert.equal(moved.body.data.report.authorId, target.id)
    const line = await AuditEvent.query()
      .where('action', 'reading.reassign')
      .where('outcome', 'success')
      .where('target_id', String(exam.id))
      .firstOrFail()
    assert.deepInclude(line.details as any, { to: target.id, from: holder.id })
    const view = await api('GET', `/reading/exams/${exam.accessionNumber}`, await apiToken(target))
    assert.equal(view.body.data.working.findings, '写到一半的影像描述')
    assert.isTrue(view.body.data.can.submit)
  })

  test('an exam whose images have not arrived cannot be claimed', async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const { exam } = await make.exam(clinic, 'CT')
    const refused = await api(
      'POST',
      `/reading/exams/${exam.accessionNumber}/claim`,
      await apiToken(await doctor('junior'))
    )
    assert.equal(refused.status, 409)
    assert.equal(refused.body.errors[0].code, 'no_images')
    await exam.refresh()
    assert.equal(exam.status, 'registered')
    assert.isNull(exam.claimedById)
  })
})

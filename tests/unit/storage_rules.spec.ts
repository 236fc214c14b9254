import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  decideRetention,
  effectiveRetentionYears,
  isPastRetention,
  keepUntil,
  minimumRetentionYears,
  retentionCutoff,
  type RetentionFacts,
} from '#app/storage/services/retention_rules'
import { transfersNeeded } from '#app/storage/services/copy_plan'
import {
  compareManifests,
  isIdentical,
  manifestDigest,
  describeDifference,
} from '#app/storage/services/manifest'
import { backoffSeconds, PRIORITY_RANK } from '#app/storage/services/transfer_queue'
import { TokenBucket, kbpsToBytesPerSecond, type TimeSource } from '#app/storage/services/bandwidth'
import { nextRetentionRun, retentionCron } from '#app/storage/services/retention_sweep'
import { mapLimit } from '#app/storage/services/concurrency'

const ZONE = 'Asia/Shanghai'
const day = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).startOf('day')

const member = { role: 'member' as const, keepsThirtyYears: false, retentionYears: 1 }
const central = { role: 'central' as const, keepsThirtyYears: false, retentionYears: 30 }

function facts(extra: Partial<RetentionFacts>): RetentionFacts {
  return {
    node: member,
    copyState: 'verified',
    examDate: day('2025-03-10'),
    today: day('2026-03-12'),
    held: false,
    verifiedAtCentre: true,
    verifiedAtBackup: true,
    verifiedElsewhere: 2,
    ...extra,
  }
}

test.group('Retention rules (C 8.3.2)', () => {
  test('minimums: centre and backups 30 years, members 1, members in "both keep 30 years" mode 30', ({
    assert,
  }) => {
    assert.equal(minimumRetentionYears('central', false), 30)
    assert.equal(minimumRetentionYears('backup', false), 30)
    assert.equal(minimumRetentionYears('member', false), 1)
    assert.equal(minimumRetentionYears('member', true), 30)
    // A row below the minimum (edited by hand in the database) is never applied.
    assert.equal(
      effectiveRetentionYears({ role: 'central', keepsThirtyYears: false, retentionYears: 5 }),
      30
    )
    assert.equal(
      effectiveRetentionYears({ role: 'member', keepsThirtyYears: false, retentionYears: 3 }),
      3
    )
  })

  test('a member copy is past retention only from the day after the anniversary of the exam date', ({
    assert,
  }) => {
    const exam = day('2025-03-10')
    assert.equal(keepUntil(exam, 1).toISODate(), '2026-03-10')
    assert.isFalse(isPastRetention(exam, 1, day('2026-03-09')))
    assert.isFalse(isPastRetention(exam, 1, day('2026-03-10')))
    assert.isTrue(isPastRetention(exam, 1, day('2026-03-11')))
    // 29 February: the anniversary in a common year is 28 February.
    assert.equal(keepUntil(day('2024-02-29'), 1).toISODate(), '2025-02-28')
    assert.isFalse(isPastRetention(day('2024-02-29'), 1, day('2025-02-28')))
    assert.isTrue(isPastRetention(day('2024-02-29'), 1, day('2025-03-01')))
  })

  test('the database pre-filter never leaves out a copy the rule would find past retention', ({
    assert,
  }) => {
    // Exam dates around the cutoff, on run days next to 29 February.
    for (const today of ['2025-02-28', '2025-03-01', '2028-02-29', '2028-03-01', '2027-01-01']) {
      for (const years of [1, 30]) {
        const cutoff = retentionCutoff(day(today), years)
        for (let offset = -10; offset <= 10; offset++) {
          const exam = cutoff.plus({ days: offset })
          if (isPastRetention(exam, years, day(today)))
            assert.isTrue(
              exam <= cutoff,
              `${exam.toISODate()} past on ${today} but after the cutoff`
            )
        }
      }
    }
  })

  test('past its year, verified at the centre and a backup, no hold: the member copy is deleted', ({
    assert,
  }) => {
    const verdict = decideRetention(facts({}))
    assert.equal(verdict.action, 'delete')
    assert.equal(verdict.reason, 'past_retention_verified_elsewhere')
    assert.equal(verdict.keepUntil.toISODate(), '2026-03-10')
  })

  test('kept, with the reason: {reason}')
    .with([
      { reason: 'within_retention', extra: { today: day('2026-03-10') } },
      { reason: 'legal_hold', extra: { held: true } },
      {
        reason: 'not_verified_at_centre',
        extra: { verifiedAtCentre: false, verifiedElsewhere: 1 },
      },
      {
        reason: 'not_verified_at_backup',
        extra: { verifiedAtBackup: false, verifiedElsewhere: 1 },
      },
      { reason: 'too_few_verified_copies', extra: { verifiedElsewhere: 1 } },
      {
        reason: 'permanent_archive',
        extra: {
          node: { role: 'member' as const, keepsThirtyYears: true, retentionYears: 30 },
          today: day('2055-03-11'),
        },
      },
    ])
    .run(({ assert }, row) => {
      const verdict = decideRetention(facts(row.extra as Partial<RetentionFacts>))
      assert.equal(verdict.action, 'keep')
      assert.equal(verdict.reason, row.reason)
    })

  test('a legal hold wins over everything, even with every copy verified', ({ assert }) => {
    assert.equal(
      decideRetention(facts({ held: true, today: day('2040-01-01') })).reason,
      'legal_hold'
    )
  })

  test('the centre is never deleted: within retention one day before 30 years, a permanent archive one day after', ({
    assert,
  }) => {
    const exam = day('2025-03-10')
    const before = decideRetention(
      facts({ node: central, examDate: exam, today: day('2055-03-09') })
    )
    const on = decideRetention(facts({ node: central, examDate: exam, today: day('2055-03-10') }))
    const after = decideRetention(
      facts({ node: central, examDate: exam, today: day('2055-03-11') })
    )
    assert.deepEqual([before.action, before.reason], ['keep', 'within_retention'])
    assert.deepEqual([on.action, on.reason], ['keep', 'within_retention'])
    assert.deepEqual([after.action, after.reason], ['keep', 'permanent_archive'])
    const backup = decideRetention(
      facts({
        node: { role: 'backup', keepsThirtyYears: false, retentionYears: 30 },
        examDate: exam,
        today: day('2060-01-01'),
      })
    )
    assert.equal(backup.action, 'keep')
  })

  test('the nightly job runs at 02:30 hospital time; the preview looks at its next run', ({
    assert,
  }) => {
    assert.equal(retentionCron(ZONE), '0 30 18 * * *')
    const evening = DateTime.fromISO('2026-11-22T20:00:00', { zone: ZONE })
    assert.equal(
      nextRetentionRun(evening, ZONE).setZone(ZONE).toISO({ suppressMilliseconds: true }),
      '2026-11-23T02:30:00+08:00'
    )
    const night = DateTime.fromISO('2026-11-23T01:00:00', { zone: ZONE })
    assert.equal(
      nextRetentionRun(night, ZONE).setZone(ZONE).toISO({ suppressMilliseconds: true }),
      '2026-11-23T02:30:00+08:00'
    )
    const justAfter = DateTime.fromISO('2026-11-23T02:30:00', { zone: ZONE })
    assert.equal(nextRetentionRun(justAfter, ZONE).setZone(ZONE).toISODate(), '2026-11-24')
  })
})

test.group('Which copies a study needs (C 8.3.2, C 8.3.3)', () => {
  const nodes = [
    { id: 1, role: 'central' as const },
    { id: 2, role: 'member' as const },
    { id: 3, role: 'backup' as const },
    { id: 4, role: 'backup' as const },
  ]

  test("a member study goes to the centre first; the backups wait for the centre's verified copy", ({
    assert,
  }) => {
    const first = transfersNeeded('member', nodes, [{ nodeId: 2, state: 'verified' }], new Set())
    assert.deepEqual(first, [{ nodeId: 1, purpose: 'forward' }])
    const then = transfersNeeded(
      'member',
      nodes,
      [
        { nodeId: 2, state: 'verified' },
        { nodeId: 1, state: 'verified' },
      ],
      new Set()
    )
    assert.deepEqual(then, [
      { nodeId: 3, purpose: 'replicate' },
      { nodeId: 4, purpose: 'replicate' },
    ])
  })

  test("a centre study goes to every backup; nothing is queued twice; members never receive others' studies", ({
    assert,
  }) => {
    assert.deepEqual(
      transfersNeeded('central', nodes, [{ nodeId: 1, state: 'verified' }], new Set([3])),
      [{ nodeId: 4, purpose: 'replicate' }]
    )
  })

  test('damaged copies are repaired, deleted ones never brought back', ({ assert }) => {
    const planned = transfersNeeded(
      'member',
      nodes,
      [
        { nodeId: 1, state: 'verified' },
        { nodeId: 2, state: 'deleted' },
        { nodeId: 3, state: 'damaged' },
        { nodeId: 4, state: 'verified' },
      ],
      new Set()
    )
    assert.deepEqual(planned, [{ nodeId: 3, purpose: 'repair' }])
    assert.deepEqual(
      transfersNeeded(
        'member',
        nodes,
        [
          { nodeId: 2, state: 'damaged' },
          { nodeId: 1, state: 'verified' },
          { nodeId: 3, state: 'verified' },
          { nodeId: 4, state: 'verified' },
        ],
        new Set()
      ),
      [{ nodeId: 2, purpose: 'repair' }]
    )
  })

  test('with no central node registered, backups copy from wherever the study is', ({ assert }) => {
    const noCentre = nodes.filter((n) => n.role !== 'central')
    assert.deepEqual(
      transfersNeeded('member', noCentre, [{ nodeId: 2, state: 'verified' }], new Set()).map(
        (p) => p.nodeId
      ),
      [3, 4]
    )
  })
})

test.group('Manifests: same instances, same MD5', () => {
  const reference = { a: ['11', 10], b: ['22', 20], c: ['33', 30] } as Record<
    string,
    [string, number]
  >

  test('finds missing, mismatched and extra instances', ({ assert }) => {
    const comparison = compareManifests(reference, { a: ['11', 10], b: ['2X', 20], d: ['44', 40] })
    assert.deepEqual(comparison, { missing: ['c'], mismatched: ['b'], extra: ['d'] })
    assert.isFalse(isIdentical(comparison))
    assert.equal(describeDifference(comparison), '1 missing, 1 MD5 mismatch, 1 extra')
    assert.isTrue(
      isIdentical(compareManifests(reference, { c: ['33', 30], a: ['11', 10], b: ['22', 20] }))
    )
  })

  test('the digest ignores order and sizes but not MD5s', ({ assert }) => {
    assert.equal(
      manifestDigest(reference),
      manifestDigest({ c: ['33', 1], b: ['22', 2], a: ['11', 3] })
    )
    assert.notEqual(manifestDigest(reference), manifestDigest({ ...reference, b: ['23', 20] }))
    assert.notEqual(manifestDigest(reference), manifestDigest({ a: ['11', 10], b: ['22', 20] }))
  })
})

test.group('Transfer queue and bandwidth (C 8.2.1)', () => {
  test('emergency before routine before bulk', ({ assert }) => {
    assert.isBelow(PRIORITY_RANK.emergency, PRIORITY_RANK.routine)
    assert.isBelow(PRIORITY_RANK.routine, PRIORITY_RANK.bulk)
  })

  test('failed transfers back off: 30 s, doubling, at most an hour', ({ assert }) => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8, 20].map(backoffSeconds),
      [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    )
  })

  test('the token bucket makes transfers wait so that together they stay under the cap', async ({
    assert,
  }) => {
    let now = 0
    const waits: number[] = []
    const time: TimeSource = {
      now: () => now,
      sleep: async (ms) => {
        waits.push(Math.round(ms))
        now += ms
      },
    }
    // 1 Mbit/s = 125 000 bytes/s, a burst of 125 000 bytes
    const bucket = new TokenBucket(kbpsToBytesPerSecond(1000), 125_000, time)
    await bucket.take(125_000)
    assert.deepEqual(waits, [])
    // Two transfers asking at once are served one after the other.
    await Promise.all([bucket.take(250_000), bucket.take(125_000)])
    assert.deepEqual(waits, [2000, 1000])
    // 3 s of simulated time for 500 000 bytes at 125 000 bytes/s after a full burst: the cap held.
    assert.equal(now, 3000)
  })

  test('mapLimit runs at most `limit` at once and keeps the order of results', async ({
    assert,
  }) => {
    let running = 0
    let peak = 0
    const results = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setImmediate(r))
      running--
      return n * 10
    })
    assert.deepEqual(results, [50, 10, 40, 20, 30])
    assert.equal(peak, 2)
  })
})

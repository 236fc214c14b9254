import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import { Clock, ManualClock } from '#app/platform/clock'
import { downloadStamp } from '#app/platform/documents'
import { doctor } from '#tests/support/reading'

/*
| Issue 9, point 6: file names carry the hospital's date and time, as every
| page does. At 20:00 UTC it is already 04:00 the next day in Shanghai.
*/
test.group('Download names in hospital time', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => app.container.restore(Clock))

  test('the file-name stamp is the hospital date and time', ({ assert }) => {
    assert.equal(downloadStamp(DateTime.fromISO('2026-12-01T20:00:00Z')), '20261202-0400')
    assert.equal(downloadStamp(DateTime.fromISO('2026-12-01T20:00:00Z'), 'yyyyMMdd'), '20261202')
  })

  test('the critical-value registry export is named by the hospital date, not the UTC one', async ({
    client,
    assert,
  }) => {
    const clock = new ManualClock(DateTime.fromISO('2026-12-01T20:00:00Z'))
    app.container.swap(Clock, () => clock)
    const reader = await doctor('intermediate')
    const response = await client.get('/critical-values/export.csv').loginAs(reader)
    response.assertStatus(200)
    assert.include(response.header('content-disposition'), 'critical-values-20261202-0400.csv')
  })
})

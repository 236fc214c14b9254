import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { apiToken, baseUrl } from '#tests/support/http'
import { ownOrthanc } from '#tests/support/orthanc_node'

/*
| A hung Orthanc (paused with SIGSTOP: it accepts connections and never
| answers) must give a clear 503 within the deadline on every route that needs
| it, never a hanging request and never a 404; once it resumes, everything
| works again. The test pauses its own Orthanc child, never the suite's.
*/

/** A request that fails the test instead of hanging it. */
async function call(path: string, token: string, init: RequestInit = {}) {
  const response = await fetch(baseUrl() + path, {
    ...init,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      ...(init.headers ?? {}),
    },
    signal: AbortSignal.timeout(60_000),
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}
const upload = (accession: string, token: string, data: Buffer) =>
  call(`/api/v1/exams/${accession}/images`, token, {
    method: 'POST',
    body: data,
    headers: { 'Content-Type': 'application/dicom' },
  })

test.group('A hung Orthanc', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('an upload and a series list answer 503 within the deadline, and work again once Orthanc resumes', async ({
    assert,
  }) => {
    const node = await ownOrthanc('intake-paused')
    // The app talks to this node, with the same kinds of deadlines as production, shortened for the test.
    app.container.swap(
      OrthancClient,
      () =>
        new OrthancClient({
          ...node.credentials,
          deadlines: { connectMs: 1000, callMs: 2000, renderMs: 2000, storeIdleMs: 3000 },
        })
    )
    try {
      const clinic = await make.user('clinic_staff')
      const { exam, clinicPatient } = await make.exam(clinic, 'CT')
      const token = await apiToken(clinic)
      const study = studyFor(exam, clinicPatient, 1, 3)
      const first = await upload(exam.accessionNumber, token, study.files[0].data)
      assert.equal(first.status, 200)
      const instanceId = first.body.files[0].orthancInstanceId
      assert.equal((await call(`/api/v1/exams/${exam.id}/series`, token)).status, 200)

      node.pause()
      try {
        const stalled = await upload(exam.accessionNumber, token, study.files[1].data)
        assert.equal(stalled.status, 503)
        assert.equal(stalled.body.files[0].reason, 'store_failed')
        const series = await call(`/api/v1/exams/${exam.id}/series`, token)
        assert.equal(series.status, 503)
        assert.equal(series.body.errors[0].code, 'store_unavailable')
        assert.equal(series.body.errors[0].message, '影像存储服务暂不可用，请稍后重试')
        const preview = await fetch(
          `${baseUrl()}/api/v1/exams/${exam.id}/instances/${instanceId}/preview`,
          { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) }
        )
        assert.equal(preview.status, 503)
      } finally {
        node.resume()
      }

      const again = await upload(exam.accessionNumber, token, study.files[1].data)
      assert.equal(again.status, 200)
      assert.include(['stored', 'already_stored'], again.body.files[0].status)
      const series = await call(`/api/v1/exams/${exam.id}/series`, token)
      assert.equal(series.status, 200)
      assert.equal(series.body.series[0].instances.length, 2)
    } finally {
      app.container.restore(OrthancClient)
      await node.stop()
    }
  })
})

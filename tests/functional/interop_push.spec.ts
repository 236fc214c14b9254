import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import AuditEvent from '#models/audit_event'
import { FhirDelivery, FhirDeliveryAttempt } from '#app/interoperability/push/push_models'
import {
  PushEligibility,
  RecognitionPush,
  backoffMinutes,
} from '#app/interoperability/push/recognition_push'
import * as make from '#tests/support/fixtures'
import { signedExam } from '#tests/support/interop'
import { manualClock } from '#tests/support/reading'
import { eventually } from '#tests/support/wait'

/*
| The push to the upper-level recognition platform (C 8.2.4), received by a
| small FHIR server of the suite's own on loopback: a signed report of an
| eligible exam arrives once, and again after the receiver was down.
*/

interface Received {
  authorization: string | undefined
  contentType: string | undefined
  bundle: any
}

class LoopbackFhirReceiver {
  received: Received[] = []
  server: http.Server | null = null
  port = 0

  async start(port = 0) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (c) => chunks.push(c))
      request.on('end', () => {
        this.received.push({
          authorization: request.headers.authorization,
          contentType: request.headers['content-type'],
          bundle: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        })
        response.writeHead(200, { 'Content-Type': 'application/fhir+json' })
        response.end(
          JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: [] })
        )
      })
    })
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()))
    this.port = (this.server.address() as AddressInfo).port
    return this
  }

  async stop() {
    this.server?.closeAllConnections()
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve()
    )
    this.server = null
  }

  get url() {
    return `http://127.0.0.1:${this.port}/fhir`
  }
}

/** Every exam is eligible (a recognition mark) in these tests, unless a test says otherwise. */
function eligibility(all: boolean) {
  const fake = new (class extends PushEligibility {
    async eligible(examIds: number[]) {
      return new Set(all ? examIds : [])
    }
  })()
  app.container.swap(PushEligibility, () => fake)
}

test.group('Push of signed reports to the recognition platform', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.teardown(() => {
    app.container.restore(PushEligibility)
  })

  test('a signed eligible report arrives once as a transaction Bundle, and again after the receiver was down', async ({
    assert,
    cleanup,
  }) => {
    // Whole seconds: DATETIME columns keep no milliseconds.
    const { clock, restore } = manualClock(new Date().toISOString().slice(0, 19) + 'Z')
    cleanup(restore)
    eligibility(true)
    const receiver = await new LoopbackFhirReceiver().start()
    cleanup(() => receiver.stop())
    const push = await app.container.make(RecognitionPush)
    await push.saveSettings(
      { endpointUrl: receiver.url, username: 'platform', secret: 's3cret' },
      null
    )

    const clinicUser = await make.user('clinic_staff')
    const first = await signedExam(clinicUser, 'CT')
    await eventually(
      async () => (await FhirDelivery.findBy('exam_id', first.exam.id))?.status === 'delivered'
    )
    assert.lengthOf(receiver.received, 1)
    const { bundle, authorization, contentType } = receiver.received[0]
    assert.equal(authorization, 'Basic ' + Buffer.from('platform:s3cret').toString('base64'))
    assert.include(contentType, 'application/fhir+json')
    assert.equal(bundle.resourceType, 'Bundle')
    assert.equal(bundle.type, 'transaction')
    const types = bundle.entry.map((e: any) => e.resource.resourceType)
    assert.includeMembers(types, ['ServiceRequest', 'ImagingStudy', 'DiagnosticReport'])
    const report = bundle.entry.find((e: any) => e.resource.resourceType === 'DiagnosticReport')
    assert.equal(report.resource.conclusion, '右肺下叶炎症，建议治疗后复查。')
    assert.equal(
      Buffer.from(report.resource.presentedForm[0].data, 'base64').subarray(0, 4).toString(),
      '%PDF'
    )
    assert.match(
      report.request.url,
      new RegExp(`^DiagnosticReport\\?identifier=.*${first.exam.accessionNumber}$`)
    )
    // References point inside the Bundle.
    const sr = bundle.entry.find((e: any) => e.resource.resourceType === 'ServiceRequest')
    assert.equal(report.resource.basedOn[0].reference, sr.fullUrl)
    const study = bundle.entry.find((e: any) => e.resource.resourceType === 'ImagingStudy')
    assert.equal(report.resource.imagingStudy[0].reference, study.fullUrl)
    assert.lengthOf(study.resource.series, 1)

    // Once: the job finds nothing more to send, the catch-up nothing to queue.
    assert.equal(await push.catchUp(), 0)
    assert.equal(await push.deliverDue(), 0)
    assert.lengthOf(receiver.received, 1)
    const delivered = await FhirDelivery.findByOrFail('exam_id', first.exam.id)
    assert.equal(delivered.attempts, 1)
    assert.lengthOf(await FhirDeliveryAttempt.query().where('delivery_id', delivered.id), 1)

    // The platform is down when the next report is signed.
    const port = receiver.port
    await receiver.stop()
    const second = await signedExam(clinicUser, 'DR')
    const failed = await eventually(async () => {
      const d = await FhirDelivery.findBy('exam_id', second.exam.id)
      return d && d.attempts === 1 ? d : null
    })
    assert.equal(failed.status, 'queued')
    assert.isNotNull(failed.lastError)
    assert.equal(
      failed.nextAttemptAt!.toMillis(),
      clock
        .now()
        .plus({ minutes: backoffMinutes(1) })
        .toMillis()
    )
    // Not yet due: nothing is tried.
    assert.equal(await push.deliverDue(), 0)

    await receiver.start(port)
    clock.advance({ minutes: backoffMinutes(1) })
    assert.equal(await push.deliverDue(), 1)
    assert.lengthOf(receiver.received, 2)
    assert.include(JSON.stringify(receiver.received[1].bundle), second.exam.accessionNumber)
    const recovered = await FhirDelivery.findByOrFail('exam_id', second.exam.id)
    assert.equal(recovered.status, 'delivered')
    assert.equal(recovered.attempts, 2)
    const attempts = await FhirDeliveryAttempt.query()
      .where('delivery_id', recovered.id)
      .orderBy('id')
    assert.deepEqual(
      attempts.map((a) => a.httpStatus),
      [null, 200]
    )
    assert.equal(await push.deliverDue(), 0)
    assert.lengthOf(receiver.received, 2)

    const lines = await AuditEvent.query()
      .where('action', 'fhir.push')
      .where('target_id', String(second.exam.id))
      .orderBy('id')
    assert.deepEqual(
      lines.map((l) => l.outcome),
      ['failed', 'success']
    )
  })

  test('an exam that earns no recognition mark is not pushed; a missed event is caught up', async ({
    assert,
  }) => {
    eligibility(false)
    const push = await app.container.make(RecognitionPush)
    const clinicUser = await make.user('clinic_staff')
    const { exam } = await signedExam(clinicUser, 'DR')
    const version = await (
      await import('#models/report_version')
    ).default
      .query()
      .where('exam_id', exam.id)
      .where('status', 'signed')
      .firstOrFail()
    assert.isNull(await push.enqueue(exam.id, version.id))
    assert.equal(await push.catchUp(), 0)
    assert.isNull(await FhirDelivery.findBy('exam_id', exam.id))

    // Eligible now (e.g. the listener was down): the catch-up queues it once.
    eligibility(true)
    const catching = await app.container.make(RecognitionPush)
    assert.equal(await catching.catchUp(), 1)
    assert.equal(await catching.catchUp(), 0)
    assert.equal((await FhirDelivery.findByOrFail('exam_id', exam.id)).status, 'queued')
  })

  test('the endpoint must be an http(s) URL; the secret is kept encrypted and never shown', async ({
    assert,
  }) => {
    const push = await app.container.make(RecognitionPush)
    await assert.rejects(() =>
      push.saveSettings({ endpointUrl: 'ftp://platform.example/fhir' }, null)
    )
    const saved = await push.saveSettings(
      { endpointUrl: 'https://platform.example/fhir/', secret: 'token-1' },
      null
    )
    assert.equal(saved.endpointUrl, 'https://platform.example/fhir')
    assert.notInclude(saved.secretCipher!, 'token-1')
    assert.notProperty(saved.serialize(), 'secretCipher')
    const kept = await push.saveSettings(
      { endpointUrl: 'https://platform.example/fhir', secret: '' },
      null
    )
    assert.equal(kept.secretCipher, saved.secretCipher)
  })

  test('the administrator sets the endpoint on the interoperability page; others may not', async ({
    assert,
    client,
  }) => {
    const admin = await make.user('admin')
    const page = await client.get('/admin/interoperability').loginAs(admin)
    page.assertStatus(200)
    assert.include(page.text(), '互认平台')
    const english = await client
      .get('/admin/interoperability')
      .cookie('locale', 'en')
      .loginAs(admin)
    english.assertStatus(200)
    assert.include(english.text(), 'Recognition platform')

    const saved = await client
      .post('/admin/interoperability/push')
      .loginAs(admin)
      .withCsrfToken()
      .form({
        endpointUrl: 'https://platform.example/fhir',
        username: 'centre',
        secret: 'pw-1',
        active: 'true',
      })
    saved.assertRedirectsTo('/admin/interoperability')
    const push = await app.container.make(RecognitionPush)
    const settings = await push.settings()
    assert.equal(settings?.endpointUrl, 'https://platform.example/fhir')
    assert.equal(settings?.username, 'centre')
    assert.notInclude((await client.get('/admin/interoperability').loginAs(admin)).text(), 'pw-1')

    const nurse = await make.user('clinic_staff')
    const refused = await client
      .post('/admin/interoperability/push')
      .loginAs(nurse)
      .withCsrfToken()
      .form({ endpointUrl: 'https://evil.example/fhir' })
    refused.assertStatus(403)
    assert.equal((await push.settings())?.endpointUrl, 'https://platform.example/fhir')
    ;(await client.get('/admin/interoperability').loginAs(nurse)).assertStatus(403)
  })
})

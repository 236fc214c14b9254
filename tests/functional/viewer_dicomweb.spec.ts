import http from 'node:http'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import AuditEvent from '#models/audit_event'
import ExamStudy from '#models/exam_study'
import type User from '#models/user'
import imaging from '#config/imaging'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { apiToken, baseUrl, postDicom } from '#tests/support/http'
import { CookieClient } from '#tests/support/sessions'
import db from '@adonisjs/lucid/services/db'
import { forgetOpenStudies } from '#app/viewer/services/study_access'

/*
| The viewer's DICOMweb through the app (issue 14): every route OHIF uses, as
| the owning clinic, another clinic, a radiologist and an administrator; QIDO
| filtered to visible studies; one audit line per study; no Orthanc address or
| credential in anything a browser receives.
*/

async function examWithStudy(
  clinic?: User,
  series = 2,
  perSeries = 2,
  extra: Parameters<typeof studyFor>[4] = {}
) {
  clinic ??= await make.user('clinic_staff')
  const { exam, clinicPatient } = await make.exam(clinic, 'CT')
  const token = await apiToken(clinic)
  const study = studyFor(exam, clinicPatient, series, perSeries, extra)
  for (const file of study.files) {
    const stored = await postDicom(`/api/v1/exams/${exam.accessionNumber}/images`, file.data, token)
    if (stored.status !== 201 && stored.status !== 200)
      throw new Error(`fixture upload answered ${stored.status}: ${JSON.stringify(stored.body)}`)
  }
  const link = await ExamStudy.findByOrFail('exam_id', exam.id)
  return { clinic, exam, clinicPatient, token, studyUid: link.studyInstanceUid, files: study.files }
}

const tag = (dataset: any, key: string) => dataset?.[key]?.Value?.[0]

/** What the browser would receive, as text: status line headers and body. */
async function raw(path: string, token: string, accept = 'application/dicom+json') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const url = new URL(baseUrl())
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          headers: { Authorization: `Bearer ${token}`, Accept: accept },
        },
        (response) => {
          const chunks: Buffer[] = []
          response.on('data', (chunk) => chunks.push(chunk))
          response.on('end', () =>
            resolve({
              status: response.statusCode!,
              headers: response.headers,
              body: Buffer.concat(chunks),
            })
          )
        }
      )
      request.on('error', reject)
      request.end()
    }
  )
}

function assertNoOrthanc(
  assert: any,
  received: { headers: http.IncomingHttpHeaders; body: Buffer }
) {
  const orthanc = new URL(imaging.orthanc.url)
  const text = JSON.stringify(received.headers) + received.body.toString('latin1')
  assert.notInclude(text, `:${orthanc.port}`, 'Orthanc port reached the browser')
  assert.notInclude(text, imaging.orthanc.password, 'Orthanc password reached the browser')
  assert.notInclude(text, imaging.orthanc.username, 'Orthanc user name reached the browser')
  assert.notInclude(text.toLowerCase(), 'orthanc', 'Orthanc named in what the browser received')
}

test.group('Viewer DICOMweb: the owning clinic and the radiologists', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('QIDO, metadata, frames, rendered, bulk data and WADO-URI answer, with no Orthanc address in them', async ({
    assert,
  }) => {
    const { token, studyUid, exam } = await examWithStudy()
    const radiologist = await make.user('radiologist', await make.institution('lead_hospital'))
    for (const bearer of [token, await apiToken(radiologist)]) {
      const studies = await raw(`/dicomweb/studies?StudyInstanceUID=${studyUid}`, bearer)
      assert.equal(studies.status, 200)
      const found = JSON.parse(studies.body.toString())
      assert.lengthOf(found, 1)
      assert.equal(tag(found[0], '00080050'), exam.accessionNumber)
      assertNoOrthanc(assert, studies)

      const series = await raw(`/dicomweb/studies/${studyUid}/series`, bearer)
      assert.equal(series.status, 200)
      const seriesList = JSON.parse(series.body.toString())
      assert.lengthOf(seriesList, 2)
      // Orthanc's own URLs in its answers name the app's proxy
      assert.match(tag(seriesList[0], '00081190'), /^http:\/\/[^/]+\/dicomweb\/studies\//)
      assert.equal(new URL(tag(seriesList[0], '00081190')).host, new URL(baseUrl()).host)
      assertNoOrthanc(assert, series)
      const seriesUid = tag(seriesList[0], '0020000E')

      const instances = await raw(
        `/dicomweb/studies/${studyUid}/series/${seriesUid}/instances`,
        bearer
      )
      assert.equal(instances.status, 200)
      assert.lengthOf(JSON.parse(instances.body.toString()), 2)
      const instanceUid = tag(JSON.parse(instances.body.toString())[0], '00080018')

      const metadata = await raw(
        `/dicomweb/studies/${studyUid}/series/${seriesUid}/metadata`,
        bearer
      )
      assert.equal(metadata.status, 200)
      assert.equal(tag(JSON.parse(metadata.body.toString())[0], '00080060'), 'CT')
      assertNoOrthanc(assert, metadata)

      const base = `/dicomweb/studies/${studyUid}/series/${seriesUid}/instances/${instanceUid}`
      const frame = await raw(
        `${base}/frames/1`,
        bearer,
        'multipart/related; type="application/octet-stream"; transfer-syntax=*'
      )
      assert.equal(frame.status, 200)
      assert.match(String(frame.headers['content-type']), /^multipart\/related/)
      assert.isAbove(frame.body.length, 256 * 256 * 2)
      assertNoOrthanc(assert, frame)

      const rendered = await raw(`${base}/rendered`, bearer, 'image/png')
      assert.equal(rendered.status, 200)
      assert.equal(rendered.body.subarray(1, 4).toString(), 'PNG')

      const bulk = await raw(
        `${base}/bulk/7fe00010`,
        bearer,
        'multipart/related; type="application/octet-stream"'
      )
      assert.equal(bulk.status, 200)
      assert.isAbove(bulk.body.length, 256 * 256 * 2)

      const wado = await raw(
        `/dicomweb/wado?requestType=WADO&studyUID=${studyUid}&seriesUID=${seriesUid}&objectUID=${instanceUid}&contentType=application%2Fdicom`,
        bearer,
        '*/*'
      )
      assert.equal(wado.status, 200)
      assert.equal(wado.body.subarray(128, 132).toString(), 'DICM')

      const instanceMetadata = await raw(`${base}/metadata`, bearer)
      assert.equal(instanceMetadata.status, 200)
      assertNoOrthanc(assert, instanceMetadata)
    }
  })

  test('one audit line per study and session, however many frames the viewer asks for', async ({
    assert,
  }) => {
    const { studyUid, exam } = await examWithStudy()
    const radiologist = await make.user('radiologist', await make.institution('lead_hospital'))
    const token = await apiToken(radiologist)
    const series = JSON.parse(
      (await raw(`/dicomweb/studies/${studyUid}/series`, token)).body.toString()
    )
    for (const s of series) {
      const seriesUid = tag(s, '0020000E')
      await raw(`/dicomweb/studies/${studyUid}/series/${seriesUid}/metadata`, token)
      const instances = JSON.parse(
        (
          await raw(`/dicomweb/studies/${studyUid}/series/${seriesUid}/instances`, token)
        ).body.toString()
      )
      for (const instance of instances) {
        const status = (
          await raw(
            `/dicomweb/studies/${studyUid}/series/${seriesUid}/instances/${tag(instance, '00080018')}/frames/1`,
            token,
            'multipart/related; type="application/octet-stream"'
          )
        ).status
        assert.equal(status, 200)
      }
    }
    const lines = await AuditEvent.query()
      .where('action', 'viewer.study.open')
      .where('actor_user_id', radiologist.id)
    assert.lengthOf(lines, 1)
    assert.equal(lines[0].outcome, 'success')
    assert.equal(lines[0].targetType, 'exam')
    assert.equal(lines[0].targetId, String(exam.id))
  })

  test('the exam page, the reading workspace and the queue open the viewer in one click, the prior beside the current', async ({
    client,
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const prior = await examWithStudy(clinic, 1, 1)
    // The same patient comes back: a second exam registered later, with its own study.
    const { ExamRegistration } = await import('#app/intake/services/exam_registration')
    const app = (await import('@adonisjs/core/services/app')).default
    const registration = await app.container.make(ExamRegistration)
    const [current] = await registration.register(clinic, {
      clinicPatientId: prior.clinicPatient.id,
      itemIds: [(await make.item('CT')).id],
      priority: 'routine',
      clinicalHistory: '复查',
      purpose: '复查肺部病灶',
      requestingDoctor: '刘医生',
    })
    const file = studyFor(current, prior.clinicPatient, 1, 1).files[0]
    assert.oneOf(
      (await postDicom(`/api/v1/exams/${current.accessionNumber}/images`, file.data, prior.token))
        .status,
      [200, 201]
    )
    const currentUid = (await ExamStudy.findByOrFail('exam_id', current.id)).studyInstanceUid

    const radiologist = await make.user('radiologist', await make.institution('lead_hospital'))
    const opened = await client.get(`/exams/${current.id}/viewer`).loginAs(radiologist).redirects(0)
    opened.assertStatus(302)
    const location = new URL(opened.header('location')!, baseUrl())
    assert.equal(location.pathname, '/viewer/viewer')
    assert.equal(location.searchParams.get('StudyInstanceUIDs'), `${currentUid},${prior.studyUid}`)
    assert.equal(location.searchParams.get('hangingProtocolId'), '@ohif/hpCompare')
    assert.equal(location.searchParams.get('lng'), 'zh')

    const workspace = await client.get(`/reading/exams/${current.id}`).loginAs(radiologist)
    workspace.assertStatus(200)
    assert.include(workspace.text(), `href="/exams/${current.id}/viewer"`)
    const page = await client.get(`/exams/${current.id}`).loginAs(clinic)
    assert.include(page.text(), `href="/exams/${current.id}/viewer"`)
    const queue = await client.get('/reading').loginAs(radiologist)
    assert.include(queue.text(), `href="/exams/${current.id}/viewer"`)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'exam.viewer.open')
        .where('target_id', String(current.id))
        .where('outcome', 'success')
        .first()
    )
  })
})

test.group('Viewer DICOMweb: what is not theirs answers like what does not exist', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('another clinic gets 404 with the body of a missing study on every route, audited', async ({
    assert,
  }) => {
    const own = await examWithStudy()
    const stranger = await make.user('clinic_staff')
    const token = await apiToken(stranger)
    const series = JSON.parse(
      (await raw(`/dicomweb/studies/${own.studyUid}/series`, own.token)).body.toString()
    )
    const seriesUid = tag(series[0], '0020000E')
    const instances = JSON.parse(
      (
        await raw(`/dicomweb/studies/${own.studyUid}/series/${seriesUid}/instances`, own.token)
      ).body.toString()
    )
    const instanceUid = tag(instances[0], '00080018')
    const missing = await raw(`/dicomweb/studies/1.2.3.999999.1/series`, token)
    assert.equal(missing.status, 404)
    const base = `/dicomweb/studies/${own.studyUid}`
    for (const path of [
      `${base}/series`,
      `${base}/instances`,
      `${base}/metadata`,
      `${base}/series/${seriesUid}/metadata`,
      `${base}/series/${seriesUid}/instances`,
      `${base}/series/${seriesUid}/instances/${instanceUid}/frames/1`,
      `${base}/series/${seriesUid}/instances/${instanceUid}/rendered`,
      `${base}/series/${seriesUid}/instances/${instanceUid}/bulk/7fe00010`,
      `/dicomweb/wado?requestType=WADO&studyUID=${own.studyUid}&seriesUID=${seriesUid}&objectUID=${instanceUid}`,
    ]) {
      const answer = await raw(path, token)
      assert.equal(answer.status, 404, path)
      assert.equal(answer.body.toString(), missing.body.toString(), path)
    }
    const denied = await AuditEvent.query()
      .where('action', 'viewer.study.open')
      .where('actor_user_id', stranger.id)
      .where('outcome', 'denied')
    assert.isAtLeast(denied.length, 9)
    assert.isTrue(denied.some((line) => line.targetId === String(own.exam.id)))
    // The study search does not find it either, by its UID or by a wildcard on the name.
    for (const query of [
      `StudyInstanceUID=${own.studyUid}`,
      'PatientName=*',
      'PatientName=Zh*',
      `AccessionNumber=${own.exam.accessionNumber}`,
    ]) {
      const found = await raw(`/dicomweb/studies?${query}`, token)
      assert.equal(found.status, 200)
      assert.deepEqual(JSON.parse(found.body.toString()), [], query)
    }
  })

  test('wildcard and partial-name searches return only the clinic own studies', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const mine = await examWithStudy(clinic, 1, 1)
    const theirs = await examWithStudy(undefined, 1, 1)
    for (const query of [
      'PatientName=*',
      'PatientName=Zhang*',
      'PatientName=*San',
      'ModalitiesInStudy=CT',
      '00100010=Z*',
      'PatientName=zhang*&limit=50&offset=0',
      // `?` is one character (PS3.4 C.2.2.2.4), as the viewer's URL encodes it or not
      'PatientName=Zhang?San',
      'PatientName=Zhang%3FSan',
      'PatientName=Zh?ng*',
    ]) {
      const found = JSON.parse(
        (await raw(`/dicomweb/studies?${query}`, mine.token)).body.toString()
      )
      const uids = found.map((study: any) => tag(study, '0020000D'))
      assert.include(uids, mine.studyUid, query)
      assert.notInclude(uids, theirs.studyUid, query)
    }
    // The radiologist reads for every clinic: both.
    const radiologist = await make.user('radiologist', await make.institution('lead_hospital'))
    const all = JSON.parse(
      (
        await raw('/dicomweb/studies?PatientName=Zhang*', await apiToken(radiologist))
      ).body.toString()
    ).map((s: any) => tag(s, '0020000D'))
    assert.includeMembers(all, [mine.studyUid, theirs.studyUid])
    const search = await AuditEvent.query()
      .where('action', 'viewer.studies.search')
      .where('actor_user_id', clinic.id)
      .first()
    assert.isNotNull(search)
    assert.deepInclude(search!.details as any, { query: { PatientName: '*' } })
  })

  test('a Chinese name search (张*) finds the clinic own studies, and only theirs', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const mine = await examWithStudy(clinic, 1, 1, { patientName: '张^三' })
    const theirs = await examWithStudy(undefined, 1, 1, { patientName: '张^四' })
    const search = async (query: string, token = mine.token) => {
      const answer = await raw(`/dicomweb/studies?${query}`, token)
      assert.equal(answer.status, 200, query)
      return JSON.parse(answer.body.toString()) as any[]
    }
    const uids = (found: any[]) => found.map((study) => tag(study, '0020000D'))
    for (const query of [
      `PatientName=${encodeURIComponent('张*')}`,
      `PatientName=${encodeURIComponent('张^三')}`,
      `PatientName=${encodeURIComponent('*三')}`,
      `00100010=${encodeURIComponent('张*')}&limit=10`,
    ]) {
      const found = uids(await search(query))
      assert.include(found, mine.studyUid, query)
      assert.notInclude(found, theirs.studyUid, query)
    }
    // `?` is exactly one character, like `*` is any run (PS3.4 C.2.2.2.4): 张?三 is 张^三, 张? is not.
    for (const query of ['张?三', '张??', '?^三', '张?*']) {
      const found = uids(await search(`PatientName=${encodeURIComponent(query)}`))
      assert.include(found, mine.studyUid, query)
      assert.notInclude(found, theirs.studyUid, query)
    }
    for (const query of ['张?', '张??三', '李?三'])
      assert.notInclude(
        uids(await search(`PatientName=${encodeURIComponent(query)}`)),
        mine.studyUid,
        query
      )
    // Another clinic's patient named with `?`: nothing, not even a count.
    assert.deepEqual(await search(`PatientName=${encodeURIComponent('张?四')}`), [])
    // The name comes back as written (UTF-8), not as Latin-1's "^".
    const own = (await search(`StudyInstanceUID=${mine.studyUid}`))[0]
    assert.equal(own['00100010'].Value[0].Alphabetic, '张^三')
    // Not a match: another surname, or another clinic's patient named exactly.
    assert.notInclude(uids(await search(`PatientName=${encodeURIComponent('李*')}`)), mine.studyUid)
    assert.deepEqual(await search(`PatientName=${encodeURIComponent('张^四')}`), [])
    // The radiologist reads for every clinic: both 张.
    const radiologist = await make.user('radiologist', await make.institution('lead_hospital'))
    const all = uids(
      await search(`PatientName=${encodeURIComponent('张*')}`, await apiToken(radiologist))
    )
    assert.includeMembers(all, [mine.studyUid, theirs.studyUid])
  })

  test('a series or instance of another study, named under the clinic own study, answers 404', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const mine = await examWithStudy(clinic, 1, 1)
    const theirs = await examWithStudy(undefined, 1, 1)
    const theirSeries = JSON.parse(
      (await raw(`/dicomweb/studies/${theirs.studyUid}/series`, theirs.token)).body.toString()
    )
    const seriesUid = tag(theirSeries[0], '0020000E')
    const instanceUid = tag(
      JSON.parse(
        (
          await raw(
            `/dicomweb/studies/${theirs.studyUid}/series/${seriesUid}/instances`,
            theirs.token
          )
        ).body.toString()
      )[0],
      '00080018'
    )
    const mySeries = tag(
      JSON.parse(
        (await raw(`/dicomweb/studies/${mine.studyUid}/series`, mine.token)).body.toString()
      )[0],
      '0020000E'
    )
    for (const path of [
      `/dicomweb/studies/${mine.studyUid}/series/${seriesUid}/metadata`,
      `/dicomweb/studies/${mine.studyUid}/series/${seriesUid}/instances/${instanceUid}/frames/1`,
      `/dicomweb/studies/${mine.studyUid}/series/${mySeries}/instances/${instanceUid}/frames/1`,
      `/dicomweb/wado?requestType=WADO&studyUID=${mine.studyUid}&seriesUID=${seriesUid}&objectUID=${instanceUid}`,
    ]) {
      const answer = await raw(
        path,
        mine.token,
        'multipart/related; type="application/octet-stream"'
      )
      assert.equal(answer.status, 404, path)
    }
    // A query parameter cannot widen a search inside the clinic's own study to another study.
    const widened = JSON.parse(
      (
        await raw(
          `/dicomweb/studies/${mine.studyUid}/series?StudyInstanceUID=${theirs.studyUid}`,
          mine.token
        )
      ).body.toString()
    )
    assert.deepEqual(
      widened.map((s: any) => tag(s, '0020000D')),
      [mine.studyUid]
    )
  })

  test('path tricks are refused as bad input, before anything reaches the store', async ({
    assert,
  }) => {
    const mine = await examWithStudy(undefined, 1, 1)
    for (const path of [
      `/dicomweb/studies/${mine.studyUid}/..%2f..%2fpatients`,
      `/dicomweb/studies/${mine.studyUid}%2Fseries`,
      `/dicomweb/studies/${mine.studyUid}/series/..`,
      `/dicomweb/studies/..%2F..%2Fsystem`,
      `/dicomweb/studies/${mine.studyUid}/%2e%2e/%2e%2e/instances`,
      `/dicomweb/studies/${mine.studyUid}%5c..%5csystem`,
    ]) {
      const answer = await raw(path, mine.token)
      assert.oneOf(answer.status, [400, 404], path)
      assertNoOrthanc(assert, answer)
    }
    const trick = await raw(`/dicomweb/studies/${mine.studyUid}/..%2f..%2fpatients`, mine.token)
    assert.equal(trick.status, 400)
    assert.equal(JSON.parse(trick.body.toString()).errors[0].code, 'bad_path')
    // Not a UID, not a resource the viewer uses: the same as missing.
    assert.equal((await raw('/dicomweb/studies/abc', mine.token)).status, 404)
    assert.equal((await raw('/dicomweb/patients', mine.token)).status, 404)
    assert.equal((await raw('/dicomweb/servers', mine.token)).status, 404)
  })

  test('an upper-level hospital user sees nothing of a clinic study not shared with it; a QC officer of the lead hospital reads it', async ({
    assert,
  }) => {
    const mine = await examWithStudy(undefined, 1, 1)
    const upper = await make.user('clinic_staff', await make.institution('upper_hospital'))
    const upperToken = await apiToken(upper)
    assert.equal((await raw(`/dicomweb/studies/${mine.studyUid}/series`, upperToken)).status, 404)
    assert.deepEqual(
      JSON.parse((await raw('/dicomweb/studies?PatientName=*', upperToken)).body.toString()),
      []
    )
    const qc = await make.user('qc_officer', await make.institution('lead_hospital'))
    assert.equal(
      (await raw(`/dicomweb/studies/${mine.studyUid}/series`, await apiToken(qc))).status,
      200
    )
  })

  test('an administrator gets 403, a request without a session gets nothing, and nothing is stored through it', async ({
    assert,
    client,
  }) => {
    const mine = await examWithStudy(undefined, 1, 1)
    const admin = await make.user('admin')
    const adminToken = await apiToken(admin)
    const answer = await raw(`/dicomweb/studies/${mine.studyUid}/series`, adminToken)
    assert.equal(answer.status, 403)
    assert.equal((await raw('/dicomweb/studies?PatientName=*', adminToken)).status, 403)
    assert.isNotNull(
      await AuditEvent.query()
        .where('action', 'viewer.study.open')
        .where('actor_user_id', admin.id)
        .where('outcome', 'denied')
        .first()
    )
    const page = await client.get('/viewer/viewer').loginAs(admin)
    page.assertStatus(403)

    const anonymous = await fetch(`${baseUrl()}/dicomweb/studies/${mine.studyUid}/series`, {
      headers: { Accept: 'application/dicom+json' },
      redirect: 'manual',
    })
    assert.oneOf(anonymous.status, [401, 302])
    assert.notInclude(await anonymous.text(), mine.studyUid)
    const viewer = await fetch(`${baseUrl()}/viewer/viewer`, { redirect: 'manual' })
    assert.oneOf(viewer.status, [401, 302])

    // STOW-RS is not offered: the viewer only reads.
    const stow = await fetch(`${baseUrl()}/dicomweb/studies`, {
      method: 'POST',
      headers: { 'Authorization': `Bearer ${mine.token}`, 'Content-Type': 'application/dicom' },
      body: mine.files[0].data,
    })
    assert.oneOf(stow.status, [404, 405])
  })
})

test.group('Viewer page', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the page carries the recognition mark of the studies opened (none when the exam earns none), and no Orthanc address', async ({
    client,
    assert,
  }) => {
    const { resultMarks } = await import('#app/platform/result_marks')
    const mine = await examWithStudy(undefined, 1, 1)
    const theirs = await examWithStudy(undefined, 1, 1)
    // Until the recognition capability provides marks, every exam earns none; in this test's process, provide one when nobody has.
    let provided = false
    try {
      resultMarks.provide(
        async (ids) =>
          new Map(ids.map((id) => [id, { code: '川渝HR', catalogue: '川渝检查结果互认目录' }]))
      )
      provided = true
    } catch {}
    const page = await client
      .get(`/viewer/viewer?StudyInstanceUIDs=${mine.studyUid},${theirs.studyUid}`)
      .loginAs(mine.clinic)
    page.assertStatus(200)
    const html = page.text()
    const marks = JSON.parse(html.match(/window\.imagingCentre = (\{.*?\});/)![1]).marks
    const expected = await resultMarks.forExam(mine.exam.id)
    if (provided) assert.isNotNull(expected)
    assert.deepEqual(marks, expected ? { [mine.studyUid]: `互认标识：${expected.code}` } : {})
    // Another clinic's study named in the URL gets no mark, and nothing of it is in the page.
    assert.notProperty(marks, theirs.studyUid)
    assert.notInclude(html, theirs.exam.accessionNumber)
    assert.include(html, 'window.PUBLIC_URL="/viewer/"')
    assert.notInclude(html, 'init-service-worker')
    const nonce = page.header('content-security-policy')!.match(/'nonce-([^']+)'/)![1]
    assert.equal(
      (html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? []).filter(
        (element) => !element.includes(`nonce="${nonce}"`)
      ).length,
      0
    )

    const config = await client.get('/viewer/app-config.js').loginAs(mine.clinic)
    config.assertStatus(200)
    assert.include(config.text(), '"qidoRoot": "http://')
    assert.match(config.text(), /"wadoRoot": "http:\/\/[^"]+\/dicomweb"/)
    const orthanc = new URL(imaging.orthanc.url)
    for (const text of [html, config.text()]) {
      assert.notInclude(text, `:${orthanc.port}`)
      assert.notInclude(text, imaging.orthanc.password)
    }
    // The viewer's own files, from /viewer; a path out of its folder is not one of them.
    const bundle = html.match(/src="(\/viewer\/app\.bundle\.[0-9a-f]+\.js)"/)![1]
    const script = await client.get(bundle).loginAs(mine.clinic)
    script.assertStatus(200)
    assert.include(script.text(), '__webpack_require__.p = "/viewer/";')
    for (const path of [
      '/viewer/..%2f..%2f.env',
      '/viewer/../package.json',
      '/viewer/%2e%2e/%2e%2e/.env',
    ]) {
      const answer = await client.get(path).loginAs(mine.clinic)
      assert.notInclude(answer.text(), 'APP_KEY', path)
    }
  })
})

/*
| The frame pass (app/viewer/services/viewer_pass.ts): a session's next frames
| of a study it was just allowed to open skip the session, shield and auth
| middleware. What must still hold on every request: a session that ended is
| refused at once, and the pass is this session's for this study only.
*/
const FRAME_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'

/** The frame paths of a study's instances (asked with the owning clinic's token). */
async function framePaths(studyUid: string, token: string) {
  const series = JSON.parse(
    (await raw(`/dicomweb/studies/${studyUid}/series`, token)).body.toString()
  )
  const paths: string[] = []
  for (const one of series) {
    const seriesUid = tag(one, '0020000E')
    const instances = JSON.parse(
      (
        await raw(`/dicomweb/studies/${studyUid}/series/${seriesUid}/instances`, token)
      ).body.toString()
    )
    for (const instance of instances)
      paths.push(
        `/dicomweb/studies/${studyUid}/series/${seriesUid}/instances/${tag(instance, '00080018')}/frames/1`
      )
  }
  return paths
}

/** A logged-in browser (the login form) and its frame requests. */
async function browserOf(user: User) {
  const browser = new CookieClient(baseUrl())
  const landed = await browser.logIn(user.username, make.PASSWORD)
  if (landed !== '/') throw new Error(`login of ${user.username} landed on ${landed}`)
  const frame = async (path: string) => {
    const answer = await browser.get(path, { accept: FRAME_ACCEPT })
    return { status: answer.status, headers: answer.headers }
  }
  return { browser, frame }
}

test.group(
  'Viewer DICOMweb: the frame pass never outlives the session or crosses clinics',
  (group) => {
    group.each.setup(() => testUtils.db().withGlobalTransaction())

    test('logout, then the next frame of the study just being read answers 401', async ({
      assert,
    }) => {
      const own = await examWithStudy(undefined, 1, 3)
      const paths = await framePaths(own.studyUid, own.token)
      const { browser, frame } = await browserOf(own.clinic)
      const stolen = browser.copy()
      const first = await frame(paths[0])
      assert.equal(first.status, 200)
      // The full path answers with the session's cookie; the pass touches no session: this one took the short way.
      assert.isNotNull(first.headers.get('set-cookie'))
      const second = await frame(paths[1])
      assert.equal(second.status, 200)
      assert.isNull(second.headers.get('set-cookie'), 'the second frame was not served by the pass')
      // The pass's answer carries the security headers of the full path.
      for (const header of ['x-content-type-options', 'x-frame-options', 'cache-control'])
        assert.equal(second.headers.get(header), first.headers.get(header), header)

      await browser.get('/account')
      assert.equal((await browser.post('/logout')).location, '/login')
      // The same cookie (a copy of it, as a second tab or a thief has), a moment later: refused, no frame.
      const after = await stolen.get(paths[2], { accept: FRAME_ACCEPT })
      assert.equal(after.status, 401)
      assert.equal((await stolen.get(paths[1], { accept: FRAME_ACCEPT })).status, 401)
    })

    test('locking the account, or revoking the token, refuses the next frame at once', async ({
      assert,
    }) => {
      const own = await examWithStudy(undefined, 1, 2)
      const paths = await framePaths(own.studyUid, own.token)
      const { frame } = await browserOf(own.clinic)
      assert.equal((await frame(paths[0])).status, 200)
      assert.equal((await frame(paths[1])).status, 200)
      assert.equal((await raw(paths[0], own.token, FRAME_ACCEPT)).status, 200)
      assert.equal((await raw(paths[1], own.token, FRAME_ACCEPT)).status, 200)

      const { OwnAccount } = await import('#app/access/services/own_account')
      const { SystemClock } = await import('#app/platform/clock')
      const tokens = await (await import('#models/user')).default.accessTokens.all(own.clinic)
      await new OwnAccount(new SystemClock()).revokeToken(own.clinic, String(tokens[0].identifier))
      assert.equal((await raw(paths[1], own.token, FRAME_ACCEPT)).status, 401)

      const { endEverySession } = await import('#app/access/services/account_sessions')
      await endEverySession(own.clinic, 'locked')
      assert.equal((await frame(paths[1])).status, 401)
    })

    test('another clinic gets 404 for a study right after its owner was served it, on the pass or not', async ({
      assert,
    }) => {
      const own = await examWithStudy(undefined, 1, 2)
      const other = await examWithStudy(undefined, 1, 1)
      const paths = await framePaths(own.studyUid, own.token)
      const [otherPath] = await framePaths(other.studyUid, other.token)
      const owner = await browserOf(own.clinic)
      assert.equal((await owner.frame(paths[0])).status, 200)
      assert.equal((await owner.frame(paths[1])).status, 200)
      assert.equal((await raw(paths[0], own.token, FRAME_ACCEPT)).status, 200)

      // Another clinic's user, by session and by token, a moment after: 404, audited as denied.
      const stranger = await make.user('clinic_staff')
      const strangers = await browserOf(stranger)
      for (const path of paths) {
        assert.equal((await strangers.frame(path)).status, 404, path)
        assert.equal((await raw(path, await apiToken(stranger), FRAME_ACCEPT)).status, 404, path)
      }
      const denied = await AuditEvent.query()
        .where('action', 'viewer.study.open')
        .where('actor_user_id', stranger.id)
        .where('outcome', 'denied')
      assert.lengthOf(denied, paths.length * 2)
      assert.isTrue(denied.every((line) => line.targetId === String(own.exam.id)))

      // The owner's pass is for that study only: another clinic's study through the same session is 404.
      assert.equal((await owner.frame(otherPath)).status, 404)
      assert.equal((await raw(otherPath, own.token, FRAME_ACCEPT)).status, 404)
      // And the other clinic itself is served its own.
      assert.equal((await raw(otherPath, other.token, FRAME_ACCEPT)).status, 200)
    })

    test('a series held apart is refused on the pass as on the full path', async ({ assert }) => {
      const own = await examWithStudy(undefined, 2, 1)
      const paths = await framePaths(own.studyUid, own.token)
      const { frame } = await browserOf(own.clinic)
      assert.equal((await frame(paths[0])).status, 200)
      assert.equal((await frame(paths[1])).status, 200)
      const link = await ExamStudy.findByOrFail('exam_id', own.exam.id)
      const heldSeries = paths[1].split('/series/')[1].split('/')[0]
      const now = new Date()
      await db.table('held_series').insert({
        orthanc_series_id: `held-${heldSeries}`.slice(0, 64),
        orthanc_study_id: link.orthancStudyId,
        series_instance_uid: heldSeries,
        exam_id: own.exam.id,
        reason: 'another_clinic',
        status: 'held',
        received_at: now,
        created_at: now,
        updated_at: now,
      })
      forgetOpenStudies()
      assert.equal((await frame(paths[1])).status, 404)
      assert.equal((await frame(paths[0])).status, 200)
    })
  }
)

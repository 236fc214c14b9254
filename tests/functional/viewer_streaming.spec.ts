import http from 'node:http'
import app from '@adonisjs/core/services/app'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import ExamStudy from '#models/exam_study'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import * as make from '#tests/support/fixtures'
import { newUid, syntheticInstance } from '#tests/support/dicom'
import { apiToken, baseUrl } from '#tests/support/http'

/*
| The proxy streams: a 512 MB series fetched through /dicomweb moves through
| the app a chunk at a time, so the process's memory stays flat (issue 14).
| The instances go straight into Orthanc (generating and storing 512 MB through
| the upload path would measure intake, not the viewer) and the exam is linked
| to the study as intake would link it.
*/

const INSTANCES = 64
const SIDE = 2048 // 2048 × 2048 × 16 bit = 8 MB a slice: 64 slices = 512 MB

test.group('Viewer DICOMweb streams', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('memory stays flat while a 512 MB series is fetched through the proxy', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const { exam, clinicPatient } = await make.exam(clinic, 'CT')
    const orthanc = await app.container.make(OrthancClient)
    const studyInstanceUid = newUid()
    const seriesInstanceUid = newUid()
    let orthancStudyId = ''
    for (let i = 1; i <= INSTANCES; i++) {
      const file = syntheticInstance(
        {
          modality: 'CT',
          patientName: 'Zhang^San',
          patientId: clinicPatient.clinicPatientNo,
          accessionNumber: exam.accessionNumber,
          studyInstanceUid,
        },
        {
          seriesInstanceUid,
          seriesNumber: 1,
          instanceNumber: i,
          rows: SIDE,
          columns: SIDE,
          position: i / INSTANCES,
        }
      )
      orthancStudyId = (await orthanc.storeInstance(file, { contentLength: file.length }))
        .ParentStudy
    }
    const now = DateTime.utc()
    await ExamStudy.create({
      examId: exam.id,
      studyInstanceUid,
      orthancStudyId,
      receivedVia: 'upload',
      sendingAe: null,
      seriesCount: 1,
      instanceCount: INSTANCES,
      studyDate: null,
      firstReceivedAt: now,
      lastReceivedAt: now,
    })
    const token = await apiToken(clinic)

    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    const url = new URL(baseUrl())
    const received = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: `/dicomweb/studies/${studyInstanceUid}/series/${seriesInstanceUid}`,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'multipart/related; type="application/dicom"',
          },
        },
        (response) => {
          if (response.statusCode !== 200) reject(new Error(`answered ${response.statusCode}`))
          let bytes = 0
          response.on('data', (chunk: Buffer) => (bytes += chunk.length))
          response.on('end', () => resolve(bytes))
          response.on('error', reject)
        }
      )
      request.on('error', reject)
      request.end()
    })
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    const growthMb = (peak - baseline) / 1024 / 1024
    assert.isAbove(received, INSTANCES * SIDE * SIDE * 2, 'the whole series came through')
    // Buffering the series would add ≥ 512 MB; streaming adds socket buffers and a few chunks.
    assert.isBelow(
      growthMb,
      96,
      `the process grew by ${growthMb.toFixed(0)} MB while 512 MB went through`
    )
  }).timeout(600_000)
})

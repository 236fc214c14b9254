import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import AuditEvent from '#models/audit_event'
import ExamStudy from '#models/exam_study'
import ReportVersion from '#models/report_version'
import * as make from '#tests/support/fixtures'
import { fhir, integrationToken, signedExam } from '#tests/support/interop'
import { diagnosticReportResource } from '#app/interoperability/fhir/fhir_resources'
import { parseSearch } from '#app/interoperability/fhir/search_params'

/*
| The read-only FHIR R4 API over the real MariaDB and Orthanc: resources,
| searches, paging, OperationOutcomes, and the tenancy sweep (another clinic's
| resources answer 404 and are audited).
*/

const ACCESSION = 'urn:imaging-alliance:accession'

async function world() {
  const clinicUser = await make.user('clinic_staff')
  const made = await signedExam(clinicUser, 'CT')
  const study = await ExamStudy.findByOrFail('exam_id', made.exam.id)
  const clinicToken = await integrationToken(clinicUser.institution)
  const otherClinic = await make.institution('member_clinic')
  const otherToken = await integrationToken(otherClinic)
  return { clinicUser, ...made, study, clinicToken, otherClinic, otherToken }
}

test.group('FHIR R4 API', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('the capability statement lists the four resources and their searches', async ({
    assert,
  }) => {
    const { status, type, body } = await fhir('/metadata', null)
    assert.equal(status, 200)
    assert.include(type, 'application/fhir+json')
    assert.equal(body.resourceType, 'CapabilityStatement')
    assert.equal(body.fhirVersion, '4.0.1')
    assert.sameMembers(
      body.rest[0].resource.map((r: any) => r.type),
      ['Patient', 'ServiceRequest', 'ImagingStudy', 'DiagnosticReport']
    )
    const report = body.rest[0].resource.find((r: any) => r.type === 'DiagnosticReport')
    assert.includeMembers(
      report.searchParam.map((p: any) => p.name),
      ['patient', 'identifier', 'date', 'status', '_lastUpdated']
    )
  })

  test('a clinic system reads its patient, request, study and signed report', async ({
    assert,
  }) => {
    const { exam, clinicPatient, study, clinicToken } = await world()

    const p = await fhir(`/Patient/${exam.patientId}`, clinicToken)
    assert.equal(p.status, 200)
    assert.include(p.type, 'application/fhir+json')
    assert.equal(p.body.name[0].text, '张三')
    assert.equal(p.body.gender, 'male')
    assert.equal(p.body.birthDate, '1980-05-17')
    assert.deepInclude(
      p.body.identifier.map((i: any) => i.value),
      clinicPatient.clinicPatientNo
    )
    assert.notInclude(JSON.stringify(p.body), 'resident-id')

    const sr = await fhir(`/ServiceRequest/${exam.id}`, clinicToken)
    assert.equal(sr.status, 200)
    assert.equal(sr.body.identifier[0].value, exam.accessionNumber)
    assert.equal(sr.body.status, 'completed')
    assert.equal(sr.body.subject.reference, `Patient/${exam.patientId}`)
    await exam.load('items')
    assert.equal(sr.body.code.coding[0].code, String(exam.items[0].seq))
    assert.equal(
      sr.body.code.coding[0].system,
      `urn:imaging-alliance:exam-catalogue:${exam.items[0].catalogue}`
    )

    const is = await fhir(`/ImagingStudy/${study.id}`, clinicToken)
    assert.equal(is.status, 200)
    assert.equal(is.body.identifier[0].value, `urn:oid:${study.studyInstanceUid}`)
    assert.equal(is.body.contained[0].connectionType.code, 'dicom-wado-rs')
    assert.match(is.body.contained[0].address, /\/dicomweb$/)
    assert.lengthOf(is.body.series, 1)
    assert.lengthOf(is.body.series[0].instance, 1)
    assert.match(
      is.body.series[0].instance[0].sopClass.code,
      /^urn:oid:1\.2\.840\.10008\.5\.1\.4\.1\.1\./
    )

    const dr = await fhir(`/DiagnosticReport/${exam.id}`, clinicToken)
    assert.equal(dr.status, 200)
    assert.equal(dr.body.status, 'final')
    assert.equal(dr.body.conclusion, '右肺下叶炎症，建议治疗后复查。')
    assert.include(dr.body.text.div, '右肺下叶见斑片状密度增高影')
    assert.equal(dr.body.imagingStudy[0].reference, `ImagingStudy/${study.id}`)
    // No recognition mark is registered in this run: no tag, never a default one.
    assert.notExists(dr.body.meta.tag)
    const form = dr.body.presentedForm[0]
    assert.equal(form.contentType, 'application/pdf')
    const pdf = await fhir(form.url, clinicToken)
    assert.equal(pdf.status, 200)
    assert.equal(pdf.raw.subarray(0, 4).toString(), '%PDF')
  })

  test('a patient registered with a national ID shows it only to a token allowed to see it', async ({
    assert,
  }) => {
    const clinicUser = await make.user('clinic_staff')
    const nationalId = make.nationalId()
    const registered = await make.patientAt(clinicUser.institution, { nationalId })
    const plain = await fhir(
      `/Patient/${registered.patient.id}`,
      await integrationToken(clinicUser.institution)
    )
    assert.equal(plain.status, 200)
    assert.notInclude(JSON.stringify(plain.body), nationalId)
    const allowed = await fhir(
      `/Patient/${registered.patient.id}`,
      await integrationToken(clinicUser.institution, ['fhir:read', 'fhir:national_id'])
    )
    assert.deepInclude(allowed.body.identifier, {
      use: 'official',
      system: 'urn:imaging-alliance:resident-id',
      value: nationalId,
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] },
    })
    const found = await fhir(
      `/Patient?identifier=urn:imaging-alliance:resident-id|${nationalId}`,
      await integrationToken(clinicUser.institution, ['fhir:read', 'fhir:national_id'])
    )
    assert.equal(found.body.total, 1)
    const notAllowed = await fhir(
      `/Patient?identifier=urn:imaging-alliance:resident-id|${nationalId}`,
      await integrationToken(clinicUser.institution)
    )
    assert.equal(notAllowed.body.total, 0)
  })

  test('searches by patient, identifier, date, status and _lastUpdated, paged by Bundle links', async ({
    assert,
  }) => {
    const { exam, clinicToken, clinicUser } = await world()
    await make.exam(clinicUser, 'DR')
    await make.exam(clinicUser, 'CT')

    const byAccession = await fhir(
      `/DiagnosticReport?identifier=${ACCESSION}|${exam.accessionNumber}`,
      clinicToken
    )
    assert.equal(byAccession.status, 200)
    assert.equal(byAccession.body.resourceType, 'Bundle')
    assert.equal(byAccession.body.type, 'searchset')
    assert.equal(byAccession.body.total, 1)
    assert.equal(byAccession.body.entry[0].resource.id, String(exam.id))

    const day = exam.registeredAt.setZone('Asia/Shanghai').toISODate()
    assert.equal(
      (
        await fhir(
          `/DiagnosticReport?patient=Patient/${exam.patientId}&date=${day}&status=final`,
          clinicToken
        )
      ).body.total,
      1
    )
    assert.equal(
      (await fhir(`/DiagnosticReport?patient=${exam.patientId}&status=amended`, clinicToken)).body
        .total,
      0
    )
    assert.equal((await fhir(`/DiagnosticReport?date=lt2000-01-01`, clinicToken)).body.total, 0)
    assert.equal(
      (await fhir(`/DiagnosticReport?_lastUpdated=ge2000-01-01T00:00:00Z`, clinicToken)).body.total,
      1
    )
    assert.equal((await fhir(`/ImagingStudy?patient=${exam.patientId}`, clinicToken)).body.total, 1)
    assert.equal((await fhir(`/ServiceRequest?status=active`, clinicToken)).body.total, 2)
    assert.equal((await fhir(`/ServiceRequest?status=completed`, clinicToken)).body.total, 1)

    // Paging without a count (the default): no total on a page that is not the last,
    // the next link from the page itself, and the last page shows the total.
    const first = await fhir('/ServiceRequest?_count=2', clinicToken)
    assert.notProperty(first.body, 'total')
    assert.lengthOf(first.body.entry, 2)
    const next = first.body.link.find((l: any) => l.relation === 'next')
    assert.exists(next)
    assert.notInclude(next.url, '_total')
    const second = await fhir(next.url, clinicToken)
    assert.lengthOf(second.body.entry, 1)
    assert.equal(second.body.total, 3)
    assert.notExists(second.body.link.find((l: any) => l.relation === 'next'))
    assert.exists(second.body.link.find((l: any) => l.relation === 'previous'))
    const ids = [...first.body.entry, ...second.body.entry].map((e: any) => e.resource.id)
    assert.lengthOf(new Set(ids), 3)
    // Exactly a page's worth: the extra row is not there, so no next link.
    const exact = await fhir('/ServiceRequest?_count=3', clinicToken)
    assert.lengthOf(exact.body.entry, 3)
    assert.equal(exact.body.total, 3)
    assert.notExists(exact.body.link.find((l: any) => l.relation === 'next'))

    // _total (R4 3.1.1.5.8): accurate counts, estimate is at least what was seen, none leaves it out.
    const accurate = await fhir('/ServiceRequest?_count=2&_total=accurate', clinicToken)
    assert.equal(accurate.body.total, 3)
    const accurateNext = accurate.body.link.find((l: any) => l.relation === 'next')
    assert.include(accurateNext.url, '_total=accurate')
    const accurateSecond = await fhir(accurateNext.url, clinicToken)
    assert.equal(accurateSecond.body.total, 3)
    assert.lengthOf(accurateSecond.body.entry, 1)
    const estimate = await fhir('/ServiceRequest?_count=2&_total=estimate', clinicToken)
    assert.isAtLeast(estimate.body.total, 3)
    assert.lengthOf(estimate.body.entry, 2)
    assert.exists(estimate.body.link.find((l: any) => l.relation === 'next'))
    const none = await fhir('/ServiceRequest?_count=2&_total=none', clinicToken)
    assert.notProperty(none.body, 'total')
    assert.exists(none.body.link.find((l: any) => l.relation === 'next'))
    // Past the end: no rows, so the page proves nothing; accurate still counts.
    const beyond = await fhir('/ServiceRequest?_count=2&_offset=10&_total=accurate', clinicToken)
    assert.equal(beyond.body.total, 3)
    assert.isEmpty(beyond.body.entry ?? [])
    assert.notProperty(
      (await fhir('/ServiceRequest?_count=2&_offset=10', clinicToken)).body,
      'total'
    )
    // The same for reports, patients and studies (one each here: the page shows the total).
    assert.equal(
      (await fhir('/DiagnosticReport?_total=accurate', clinicToken)).body.total,
      (await fhir('/DiagnosticReport?_total=none', clinicToken)).body.total
    )
    assert.equal(
      (await fhir(`/Patient?_id=${exam.patientId}&_total=accurate`, clinicToken)).body.total,
      1
    )
    assert.equal(
      (await fhir(`/ImagingStudy?patient=${exam.patientId}&_total=estimate`, clinicToken)).body
        .total,
      1
    )

    const audit = await AuditEvent.query()
      .where('action', 'fhir.search')
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.equal((audit.details as any).type, 'ImagingStudy')
  })

  test('bad input gets an OperationOutcome and changes nothing', async ({ assert }) => {
    const { exam, clinicToken, clinicUser } = await world()
    const unknown = await fhir('/DiagnosticReport?subject:missing=true', clinicToken)
    assert.equal(unknown.status, 400)
    assert.include(unknown.type, 'application/fhir+json')
    assert.equal(unknown.body.resourceType, 'OperationOutcome')
    assert.equal(unknown.body.issue[0].code, 'not-supported')

    for (const date of ['2026-13-45', 'yesterday', 'ap2026-01-01', '2026-1-1']) {
      const bad = await fhir(`/DiagnosticReport?date=${date}`, clinicToken)
      assert.equal(bad.status, 400, date)
      assert.equal(bad.body.issue[0].code, 'invalid')
    }
    assert.equal((await fhir('/DiagnosticReport?status=preliminary', clinicToken)).status, 400)
    assert.equal((await fhir('/ServiceRequest?_count=1000', clinicToken)).status, 400)
    for (const total of ['exact', 'ACCURATE', 'true']) {
      const bad = await fhir(`/DiagnosticReport?_total=${total}`, clinicToken)
      assert.equal(bad.status, 400, total)
      assert.equal(bad.body.resourceType, 'OperationOutcome')
      assert.equal(bad.body.issue[0].code, 'invalid')
      assert.include(bad.body.issue[0].diagnostics, total)
    }

    const versionsBefore = await ReportVersion.query().where('exam_id', exam.id).count('* as n')
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const write = await fhir(
        method === 'POST' ? '/DiagnosticReport' : `/DiagnosticReport/${exam.id}`,
        clinicToken,
        { method, body: { resourceType: 'DiagnosticReport', status: 'cancelled' } }
      )
      assert.equal(write.status, 405, method)
      assert.equal(write.body.resourceType, 'OperationOutcome')
    }
    assert.deepEqual(
      (await ReportVersion.query().where('exam_id', exam.id).count('* as n'))[0].$extras,
      versionsBefore[0].$extras
    )

    const anonymous = await fhir(`/Patient/${exam.patientId}`, null)
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.body.resourceType, 'OperationOutcome')
    const apiOnly = await fhir(
      `/Patient/${exam.patientId}`,
      await integrationToken(clinicUser.institution, ['*'])
    )
    assert.equal(apiOnly.status, 403)
    assert.equal(apiOnly.body.issue[0].code, 'forbidden')
    const noSuchType = await fhir('/Observation/1', clinicToken)
    assert.equal(noSuchType.status, 404)
    assert.equal(noSuchType.body.resourceType, 'OperationOutcome')
    assert.equal((await fhir('/DiagnosticReport/999999999', clinicToken)).status, 404)
  })

  test('tenancy sweep: another clinic sees none of it (404, audited), the centre all, the upper level only what was pushed', async ({
    assert,
  }) => {
    const { exam, study, otherToken, clinicToken } = await world()
    const version = await ReportVersion.query()
      .where('exam_id', exam.id)
      .where('status', 'signed')
      .firstOrFail()
    const paths = [
      `/Patient/${exam.patientId}`,
      `/ServiceRequest/${exam.id}`,
      `/ImagingStudy/${study.id}`,
      `/DiagnosticReport/${exam.id}`,
      `/Binary/report-${version.id}`,
    ]
    for (const path of paths) {
      assert.equal((await fhir(path, clinicToken)).status, 200, path)
      const hidden = await fhir(path, otherToken)
      assert.equal(hidden.status, 404, path)
      assert.equal(hidden.body.resourceType, 'OperationOutcome')
      assert.equal(hidden.body.issue[0].code, 'not-found')
    }
    const denied = await AuditEvent.query()
      .where('action', 'fhir.read')
      .where('outcome', 'denied')
      .where('target_id', `DiagnosticReport/${exam.id}`)
      .firstOrFail()
    assert.equal((denied.details as any).status, 404)

    const searches = [
      `/Patient?identifier=${exam.accessionNumber}`,
      `/ServiceRequest?identifier=${ACCESSION}|${exam.accessionNumber}`,
      `/ImagingStudy?patient=${exam.patientId}`,
      `/DiagnosticReport?patient=${exam.patientId}`,
      '/DiagnosticReport',
      '/ServiceRequest',
      '/ImagingStudy',
      '/Patient',
    ]
    for (const path of searches) {
      const found = await fhir(path, otherToken)
      assert.equal(found.status, 200, path)
      // The links repeat the query; the entries must hold nothing of the other clinic's.
      assert.notInclude(JSON.stringify(found.body.entry ?? []), exam.accessionNumber, path)
      assert.notInclude(
        (found.body.entry ?? []).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`),
        `Patient/${exam.patientId}`,
        path
      )
    }

    const centre = await integrationToken(await make.institution('lead_hospital'))
    for (const path of paths) assert.equal((await fhir(path, centre)).status, 200, path)

    const platform = await integrationToken(await make.institution('upper_hospital'))
    assert.equal((await fhir(`/DiagnosticReport/${exam.id}`, platform)).status, 404)
    await db.table('fhir_deliveries').insert({
      exam_id: exam.id,
      report_version_id: version.id,
      status: 'delivered',
      attempts: 1,
      created_at: new Date(),
      updated_at: new Date(),
    })
    assert.equal((await fhir(`/DiagnosticReport/${exam.id}`, platform)).status, 200)
    assert.equal(
      (await fhir(`/DiagnosticReport?patient=${exam.patientId}`, platform)).body.total,
      1
    )
  })

  test('the recognition mark becomes a meta tag only when the exam earns one', async ({
    assert,
  }) => {
    const { exam } = await world()
    const version = await ReportVersion.query()
      .where('exam_id', exam.id)
      .where('status', 'signed')
      .firstOrFail()
    const marked = diagnosticReportResource(
      exam,
      version,
      [],
      { code: '川渝HR', catalogue: 'chuanyu' },
      { url: 'x' }
    )
    assert.deepEqual(marked.meta?.tag, [
      { system: 'urn:imaging-alliance:result-mark', code: '川渝HR', display: 'chuanyu' },
    ])
    assert.notExists(diagnosticReportResource(exam, version, [], null, { url: 'x' }).meta?.tag)
  })
})

test.group('FHIR search parameters', () => {
  test('dates are read with their precision and prefix in hospital time', ({ assert }) => {
    const input = parseSearch('DiagnosticReport', { date: ['ge2026-12-01', 'lt2026-12-02T08:00'] })
    assert.equal(input.dates[0].start.toISO(), '2026-11-30T16:00:00.000Z')
    assert.equal(input.dates[1].start.toISO(), '2026-12-02T00:00:00.000Z')
    assert.equal(
      parseSearch('DiagnosticReport', { date: '2026' }).dates[0].end.toISO(),
      '2026-12-31T16:00:00.000Z'
    )
    assert.throws(() => parseSearch('Patient', { status: 'final' }))
  })
})

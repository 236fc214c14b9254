import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import {
  checkNationalId,
  maskNationalId,
  normaliseNationalId,
} from '#app/intake/services/patient_registry'
import { requestRefusal } from '#app/intake/services/exam_registration'
import { instanceRefusal } from '#app/intake/services/image_intake'
import type { DicomHeader } from '#app/intake/dicom/dicom_header'
import { demoNationalId } from '#database/demo/demo_county'

const header = (extra: Partial<DicomHeader> = {}): DicomHeader => ({
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  sopInstanceUid: '1.2.3.4',
  studyInstanceUid: '1.2.3',
  seriesInstanceUid: '1.2.3.1',
  patientId: 'M01-1001',
  patientName: 'Zhang^San',
  patientSex: 'M',
  patientBirthDate: null,
  accessionNumber: '26112200001',
  modality: 'CT',
  studyDate: '20261122',
  specificCharacterSet: 'ISO_IR 192',
  lossyImageCompression: null,
  ...extra,
})
const exam = {
  accessionNumber: '26112200001',
  modality: 'CT',
  clinicPatientNo: 'M01-1001',
  institutionId: 1,
}

test.group('National ID (C 9.2.4)', () => {
  test('checks the GB 11643 check character and reads birth date and sex', ({ assert }) => {
    const id = demoNationalId('110101', DateTime.utc(1980, 5, 17), 'F', 7)
    const check = checkNationalId(id)
    assert.isTrue(check.valid)
    if (check.valid) {
      assert.equal(check.birthDate.toISODate(), '1980-05-17')
      assert.equal(check.sex, 'F')
    }
    const wrongCheck = id.slice(0, 17) + (id[17] === '0' ? '1' : '0')
    assert.isFalse(checkNationalId(wrongCheck).valid)
    assert.isFalse(checkNationalId('11010119800230001X').valid)
    assert.isFalse(checkNationalId('12345').valid)
  })

  test('is normalised and masked for display', ({ assert }) => {
    assert.equal(normaliseNationalId(' 11010119800517001x '), '11010119800517001X')
    assert.equal(maskNationalId('110101198005170015'), '110***********0015')
  })
})

test.group('Exam request rules (Q 4.2.1)', () => {
  test('a blank request is refused as blank', ({ assert }) => {
    assert.equal(
      requestRefusal({ clinicalHistory: '', purpose: '  ', itemIds: [] })?.code,
      'request_blank'
    )
  })
  test('a request without a purpose is refused for that reason', ({ assert }) => {
    assert.equal(
      requestRefusal({ clinicalHistory: '咳嗽一周', purpose: null, itemIds: [1] })?.code,
      'purpose_missing'
    )
    assert.equal(
      requestRefusal({ clinicalHistory: '咳嗽一周', purpose: '-', itemIds: [1] })?.code,
      'purpose_missing'
    )
  })
  test('a request without history or items is refused', ({ assert }) => {
    assert.equal(
      requestRefusal({ clinicalHistory: '', purpose: '排除肺炎', itemIds: [1] })?.code,
      'history_missing'
    )
    assert.equal(
      requestRefusal({ clinicalHistory: '咳嗽一周', purpose: '排除肺炎', itemIds: [] })?.code,
      'items_missing'
    )
  })
  test('a complete request passes', ({ assert }) => {
    assert.isNull(
      requestRefusal({ clinicalHistory: '咳嗽一周', purpose: '排除肺炎', itemIds: [1] })
    )
  })
})

test.group('Does an instance belong to its exam', () => {
  test('matching accession and patient number: accepted', ({ assert }) => {
    assert.isNull(instanceRefusal(header(), exam))
  })
  test('no accession: the patient number decides', ({ assert }) => {
    assert.isNull(instanceRefusal(header({ accessionNumber: null }), exam))
    assert.equal(
      instanceRefusal(header({ accessionNumber: null, patientId: 'M01-9999' }), exam),
      'patient_mismatch'
    )
    assert.equal(
      instanceRefusal(header({ accessionNumber: null, patientId: null }), exam),
      'patient_mismatch'
    )
  })
  test('another accession or another patient: refused', ({ assert }) => {
    assert.equal(
      instanceRefusal(header({ accessionNumber: '26112200002' }), exam),
      'accession_mismatch'
    )
    assert.equal(instanceRefusal(header({ patientId: 'M02-1001' }), exam), 'patient_mismatch')
  })
  test('modality must fit the exam; reports and key images travel with any study', ({ assert }) => {
    assert.equal(instanceRefusal(header({ modality: 'MR' }), exam), 'modality_mismatch')
    assert.isNull(instanceRefusal(header({ modality: 'SR' }), exam))
    assert.isNull(instanceRefusal(header({ modality: 'DX' }), { ...exam, modality: 'DR' }))
  })
  test('lossy or UID-less instances are refused', ({ assert }) => {
    assert.equal(
      instanceRefusal(header({ transferSyntaxUid: '1.2.840.10008.1.2.4.50' }), exam),
      'lossy_compression'
    )
    assert.equal(instanceRefusal(header({ sopInstanceUid: null }), exam), 'missing_uids')
  })
})

test.group('Intake rules: one rule set for every way in', () => {
  const facts = (extra: Partial<import('#app/intake/services/intake_rules').IntakeFacts> = {}) => ({
    studyInstanceUid: '1.2.3',
    seriesInstanceUids: ['1.2.3.1'],
    sopInstanceUids: ['1.2.3.1.1'],
    accessionNumber: '26112200001',
    patientId: 'M01-1001',
    patientName: 'Zhang^San',
    modalities: ['CT'],
    transferSyntaxes: ['1.2.840.10008.1.2.1'],
    lossyImageCompression: [null],
    ...extra,
  })
  test('values over DICOM limits are refused whole, with the field: SH 16, UI 64, LO 64, PN 64 per component group', async ({
    assert,
  }) => {
    const { intakeRefusal } = await import('#app/intake/services/intake_rules')
    assert.deepEqual(intakeRefusal(facts({ accessionNumber: 'A'.repeat(20) }), exam, 1), {
      reason: 'value_too_long',
      detail: { field: 'AccessionNumber', length: 20, limit: 16 },
    })
    assert.equal(
      intakeRefusal(facts({ studyInstanceUid: '1.2.' + '3'.repeat(72) }), exam, 1)?.detail?.field,
      'StudyInstanceUID'
    )
    assert.equal(
      intakeRefusal(facts({ patientName: 'N'.repeat(65) }), exam, 1)?.reason,
      'value_too_long'
    )
    // 141 characters in three component groups of at most 64: valid, accepted
    const name141 = `${'A'.repeat(64)}=${'张'.repeat(64)}=${'a'.repeat(11)}`
    assert.lengthOf([...name141], 141)
    assert.isNull(intakeRefusal(facts({ patientName: name141 }), exam, 1))
  })
  test('accession and patient number are both checked when both are present', async ({
    assert,
  }) => {
    const { intakeRefusal } = await import('#app/intake/services/intake_rules')
    assert.equal(
      intakeRefusal(facts({ patientId: 'M01-9999' }), exam, 1)?.reason,
      'patient_mismatch'
    )
  })
  test("only the exam's own clinic may send into it", async ({ assert }) => {
    const { intakeRefusal } = await import('#app/intake/services/intake_rules')
    assert.equal(intakeRefusal(facts(), exam, 2)?.reason, 'wrong_clinic')
    assert.equal(intakeRefusal(facts(), exam, null)?.reason, 'wrong_clinic')
  })
  test('lossy anywhere in a study refuses it; the wrong modality in any series too', async ({
    assert,
  }) => {
    const { intakeRefusal } = await import('#app/intake/services/intake_rules')
    assert.equal(
      intakeRefusal(
        facts({ transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.50'] }),
        exam,
        1
      )?.reason,
      'lossy_compression'
    )
    assert.equal(
      intakeRefusal(facts({ lossyImageCompression: ['01'] }), exam, 1)?.reason,
      'lossy_compression'
    )
    assert.equal(
      intakeRefusal(facts({ modalities: ['CT', 'MR'] }), exam, 1)?.reason,
      'modality_mismatch'
    )
    assert.isNull(
      intakeRefusal(
        facts({ transferSyntaxes: ['1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.1.99'] }),
        exam,
        1
      )
    )
  })
})

import { test } from '@japa/runner'
import iconv from 'iconv-lite'
import { parseDicomHeader, DicomStructure } from '#app/intake/dicom/dicom_header'
import { decodeDicomText, encodeGb2312WithEscapes } from '#app/intake/dicom/character_sets'
import { handMadeFile, element } from '#tests/support/dicom_bytes'
import { readFileSync } from 'node:fs'
import { realWorldFile } from '#tests/support/shared_data'

function header(file: Buffer) {
  const parsed = parseDicomHeader(file, true)
  if (parsed.state !== 'complete') throw new Error(`not complete: ${JSON.stringify(parsed)}`)
  return parsed.header
}

/** Streams a file through the structure check in small chunks, as an upload arrives. */
function verdict(file: Buffer) {
  const parsed = parseDicomHeader(file, true)
  if (parsed.state !== 'complete') throw new Error('header incomplete')
  const structure = new DicomStructure(parsed.layout)
  for (let i = 0; i < file.length; i += 777) structure.feed(file.subarray(i, i + 777))
  return structure.verdict()
}

test.group('Character sets a Chinese modality sends', () => {
  test('GB2312 as ISO 2022 IR 58: escape sequences switch to GB 2312 and each component group starts again', ({
    assert,
  }) => {
    const bytes = encodeGb2312WithEscapes('Zhang^San=张^三')
    assert.include([...bytes].map((b) => b.toString(16)).join(' '), '1b 24 29 41')
    assert.equal(decodeDicomText(bytes, '\\ISO 2022 IR 58', true), 'Zhang^San=张^三')
    assert.equal(decodeDicomText(bytes, 'ISO 2022 IR 6\\ISO 2022 IR 58', true), 'Zhang^San=张^三')
  })
  test('GB18030, GBK, UTF-8 and Latin-1 through iconv-lite', ({ assert }) => {
    assert.equal(decodeDicomText(iconv.encode('王^小东', 'gb18030'), 'GB18030', true), '王^小东')
    assert.equal(decodeDicomText(iconv.encode('李四', 'gbk'), 'GBK', true), '李四')
    assert.equal(decodeDicomText(Buffer.from('王^小東', 'utf8'), 'ISO_IR 192', true), '王^小東')
    assert.equal(
      decodeDicomText(Buffer.from('Buc^Jérôme', 'latin1'), 'ISO_IR 100', true),
      'Buc^Jérôme'
    )
  })
  test('Japanese ISO 2022 IR 87 (the real-world sample) decodes as Orthanc shows it', ({
    assert,
  }) => {
    assert.equal(
      header(readFileSync(realWorldFile('pydcs_chrH31.dcm'))).patientName,
      'Yamada^Tarou=山田^太郎=やまだ^たろう'
    )
    assert.equal(
      header(readFileSync(realWorldFile('pydcs_chrX2.dcm'))).patientName,
      'Wang^XiaoDong=王^小东='
    )
  })
})

test.group('DICOM header reader agrees with Orthanc', () => {
  test('reads a GB2312 (ISO 2022 IR 58) patient name', ({ assert }) => {
    const file = handMadeFile({
      patientId: 'P1',
      characterSet: '\\ISO 2022 IR 58',
      patientName: encodeGb2312WithEscapes('Zhang^San=张^三'),
    })
    assert.equal(header(file).patientName, 'Zhang^San=张^三')
  })
  test('reads a deflated dataset (lossless) instead of refusing it', ({ assert }) => {
    const file = handMadeFile({ patientId: 'DEFL-1', accessionNumber: 'A1' }, { deflated: true })
    const h = header(file)
    assert.equal(h.transferSyntaxUid, '1.2.840.10008.1.2.1.99')
    assert.equal(h.patientId, 'DEFL-1')
    // and from a prefix, as an upload streams in
    let prefixParse = parseDicomHeader(file.subarray(0, 250), false)
    assert.include(['need_more', 'complete'], prefixParse.state)
    prefixParse = parseDicomHeader(file, false)
    assert.equal(prefixParse.state, 'complete')
  })
  test('reads a dataset with no preamble and no meta header, guessing its encoding as DCMTK does', ({
    assert,
  }) => {
    const h = header(handMadeFile({ patientId: 'NOPRE-1' }, { preamble: false }))
    assert.equal(h.patientId, 'NOPRE-1')
    assert.equal(h.transferSyntaxUid, '1.2.840.10008.1.2.1')
    assert.equal(
      header(readFileSync(realWorldFile('pyd_ExplVR_BigEndNoMeta.dcm'))).transferSyntaxUid,
      '1.2.840.10008.1.2.2'
    )
  })
  test('keeps the first copy of a repeated tag, as Orthanc does', ({ assert }) => {
    const file = handMadeFile({
      patientId: 'FIRST',
      extra: [element(0x0010, 0x0020, 'LO', 'SECOND')],
    })
    assert.equal(header(file).patientId, 'FIRST')
  })
  test('reads an element of a VR it does not know with a 4-byte length (PS3.5 6.2)', ({
    assert,
  }) => {
    const unknown = Buffer.concat([
      Buffer.from([0x09, 0x00, 0x10, 0x00]),
      Buffer.from('XY', 'latin1'),
      Buffer.from([0, 0]),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from('abcd'),
    ])
    const h = header(handMadeFile({ patientId: 'VR-1', extra: [unknown] }))
    assert.equal(h.patientId, 'VR-1')
    assert.match(h.studyInstanceUid!, /^2\.25\./)
  })
  test('a file cut inside its pixel data is found truncated as it streams; a whole one is whole', ({
    assert,
  }) => {
    const whole = handMadeFile({ patientId: 'CUT' })
    assert.equal(verdict(whole), 'whole')
    assert.equal(verdict(whole.subarray(0, whole.length - 100)), 'truncated')
    assert.equal(verdict(readFileSync(realWorldFile('pyd_MR_truncated.dcm'))), 'truncated')
    assert.equal(verdict(readFileSync(realWorldFile('pyd_rtplan_truncated.dcm'))), 'truncated')
    assert.equal(verdict(readFileSync(realWorldFile('pyd_MR_small.dcm'))), 'whole')
    assert.equal(
      verdict(readFileSync(realWorldFile('dp_CT0012.fragmented_no_bot_jpeg_ls.80.dcm'))),
      'whole'
    )
  })
})

import { test } from '@japa/runner'
import { parseDicomHeader, isLossy } from '#app/intake/dicom/dicom_header'
import { syntheticInstance, newUid } from '#database/demo/synthetic_dicom'

const study = {
  modality: 'CT' as const,
  patientName: '张三^',
  patientId: 'M01-1001',
  accessionNumber: '26112200001',
  studyDate: '20261122',
}

function instance(extra = {}) {
  return syntheticInstance(study, {
    seriesInstanceUid: newUid(),
    seriesNumber: 1,
    instanceNumber: 1,
    ...extra,
  })
}

test.group('DICOM header reader', () => {
  test('reads the identifying tags of a whole file', ({ assert }) => {
    const parsed = parseDicomHeader(instance(), true)
    assert.equal(parsed.state, 'complete')
    if (parsed.state !== 'complete') return
    assert.equal(parsed.header.accessionNumber, '26112200001')
    assert.equal(parsed.header.patientId, 'M01-1001')
    assert.equal(parsed.header.patientName, '张三^')
    assert.equal(parsed.header.modality, 'CT')
    assert.equal(parsed.header.transferSyntaxUid, '1.2.840.10008.1.2.1')
    assert.match(parsed.header.studyInstanceUid!, /^2\.25\./)
    assert.isFalse(isLossy(parsed.header))
  })

  test('asks for more bytes when the prefix stops inside the header, and completes before the pixels', ({
    assert,
  }) => {
    const file = instance()
    assert.equal(parseDicomHeader(file.subarray(0, 100), false).state, 'need_more')
    assert.equal(parseDicomHeader(file.subarray(0, 400), false).state, 'need_more')
    // 256x256x2 bytes of pixels follow the header: a 2 KB prefix is enough.
    assert.equal(parseDicomHeader(file.subarray(0, 2048), false).state, 'complete')
  })

  test('refuses what is not DICOM, and a file cut inside its header as truncated', ({ assert }) => {
    assert.deepEqual(
      parseDicomHeader(Buffer.from('%PDF-1.7 not an image'.padEnd(400, ' ')), false),
      { state: 'invalid', reason: 'not_dicom' }
    )
    assert.deepEqual(parseDicomHeader(Buffer.alloc(10), true), {
      state: 'invalid',
      reason: 'not_dicom',
    })
    assert.deepEqual(parseDicomHeader(instance().subarray(0, 300), true), {
      state: 'invalid',
      reason: 'truncated',
    })
  })

  test('flags lossy transfer syntaxes and the LossyImageCompression tag (R 7.1)', ({ assert }) => {
    const jpeg = parseDicomHeader(instance({ transferSyntaxUid: '1.2.840.10008.1.2.4.50' }), true)
    assert.isTrue(jpeg.state === 'complete' && isLossy(jpeg.header))
    const flagged = parseDicomHeader(instance({ lossyImageCompression: '01' }), true)
    assert.isTrue(flagged.state === 'complete' && isLossy(flagged.header))
    const lossless = parseDicomHeader(
      instance({ transferSyntaxUid: '1.2.840.10008.1.2.4.70' }),
      true
    )
    assert.isTrue(lossless.state === 'complete' && !isLossy(lossless.header))
  })

  test('reads implicit VR little endian and skips sequences of undefined length', ({ assert }) => {
    // Hand-built: meta group (explicit LE) then an implicit-VR dataset with an undefined-length sequence.
    const meta = explicit(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2\0')
    const group = Buffer.concat([explicit(0x0002, 0x0000, 'UL', uint32(meta.length)), meta])
    const seqItem = Buffer.concat([
      tag(0xfffe, 0xe000),
      uint32(0xffffffff),
      implicit(0x0008, 0x0100, 'CODE'),
      tag(0xfffe, 0xe00d),
      uint32(0),
    ])
    const sequence = Buffer.concat([
      tag(0x0008, 0x1032),
      uint32(0xffffffff),
      seqItem,
      tag(0xfffe, 0xe0dd),
      uint32(0),
    ])
    const dataset = Buffer.concat([
      implicit(0x0008, 0x0050, 'ACC123'),
      implicit(0x0008, 0x0060, 'DX'),
      sequence,
      implicit(0x0010, 0x0020, 'PID7 '),
      implicit(0x0020, 0x000d, '1.2.3\0'),
    ])
    const file = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), group, dataset])
    const parsed = parseDicomHeader(file, true)
    assert.equal(parsed.state, 'complete')
    if (parsed.state !== 'complete') return
    assert.equal(parsed.header.accessionNumber, 'ACC123')
    assert.equal(parsed.header.modality, 'DX')
    assert.equal(parsed.header.patientId, 'PID7')
    assert.equal(parsed.header.studyInstanceUid, '1.2.3')
  })
})

function tag(group: number, element: number) {
  const b = Buffer.alloc(4)
  b.writeUInt16LE(group, 0)
  b.writeUInt16LE(element, 2)
  return b
}
function uint32(value: number) {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(value >>> 0, 0)
  return b
}
function even(value: string | Buffer) {
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1')
  return b.length % 2 ? Buffer.concat([b, Buffer.from(' ')]) : b
}
function explicit(group: number, element: number, vr: string, value: string | Buffer) {
  const v = even(value)
  const length = Buffer.alloc(2)
  length.writeUInt16LE(v.length, 0)
  return Buffer.concat([tag(group, element), Buffer.from(vr, 'latin1'), length, v])
}
function implicit(group: number, element: number, value: string) {
  const v = even(value)
  return Buffer.concat([tag(group, element), uint32(v.length), v])
}

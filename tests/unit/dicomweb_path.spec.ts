import { test } from '@japa/runner'
import { DicomWebPathTrick, parseDicomWebPath } from '#app/viewer/services/dicomweb_path'
import { cleanQuery, matchesLocally, widenForOrthanc } from '#app/viewer/services/dicomweb_proxy'
import { dicomWebQueryString } from '#app/orthanc/orthanc_client'

const S = '1.2.840.113619.2.55.3.1'
const SE = '1.2.840.113619.2.55.3.1.2'
const I = '1.2.840.113619.2.55.3.1.2.3'

test.group('DICOMweb paths the viewer may ask for', () => {
  test('every shape OHIF uses is read, and rebuilt from its checked parts', ({ assert }) => {
    const cases: Array<[string, string, string]> = [
      ['/dicomweb/studies', 'search_studies', 'studies'],
      [`/dicomweb/studies/${S}/series`, 'search_series', `studies/${S}/series`],
      [`/dicomweb/studies/${S}/instances`, 'search_instances', `studies/${S}/instances`],
      [`/dicomweb/studies/${S}/metadata`, 'metadata', `studies/${S}/metadata`],
      [
        `/dicomweb/studies/${S}/series/${SE}/metadata`,
        'metadata',
        `studies/${S}/series/${SE}/metadata`,
      ],
      [
        `/dicomweb/studies/${S}/series/${SE}/instances`,
        'search_instances',
        `studies/${S}/series/${SE}/instances`,
      ],
      [
        `/dicomweb/studies/${S}/series/${SE}/instances/${I}`,
        'retrieve',
        `studies/${S}/series/${SE}/instances/${I}`,
      ],
      [
        `/dicomweb/studies/${S}/series/${SE}/instances/${I}/frames/1,2,3`,
        'frames',
        `studies/${S}/series/${SE}/instances/${I}/frames/1,2,3`,
      ],
      [
        `/dicomweb/studies/${S}/series/${SE}/instances/${I}/frames/4/rendered`,
        'rendered',
        `studies/${S}/series/${SE}/instances/${I}/frames/4/rendered`,
      ],
      [
        `/dicomweb/studies/${S}/series/${SE}/instances/${I}/bulk/7fe00010`,
        'bulk',
        `studies/${S}/series/${SE}/instances/${I}/bulk/7fe00010`,
      ],
    ]
    for (const [path, kind, forwarded] of cases) {
      const target = parseDicomWebPath(path)
      assert.equal(target?.kind, kind, path)
      assert.equal(target?.path, forwarded, path)
      if (kind !== 'search_studies') assert.equal(target?.study, S)
    }
    const wado = parseDicomWebPath('/dicomweb/wado', {
      requestType: 'WADO',
      studyUID: S,
      seriesUID: SE,
      objectUID: I,
    })
    assert.deepInclude(wado!, { kind: 'wado_uri', study: S, series: SE, instance: I })
  })

  test('anything else is not a resource of ours; path tricks are refused before any lookup', ({
    assert,
  }) => {
    for (const path of [
      '/dicomweb/patients',
      '/dicomweb/servers',
      `/dicomweb/studies/abc`,
      `/dicomweb/studies/${S}/series/${SE}/instances/${I}/frames/0`,
      `/dicomweb/studies/${'1.'.repeat(40)}1`,
      `/dicomweb/studies/${S}/series/${SE}/instances/${I}/bulk/../../x`.replace('/../..', '/zz/zz'),
    ]) {
      assert.isNull(parseDicomWebPath(path), path)
    }
    assert.isNull(
      parseDicomWebPath('/dicomweb/wado', {
        requestType: 'WADO',
        studyUID: '../x',
        seriesUID: SE,
        objectUID: I,
      })
    )
    for (const path of [
      `/dicomweb/studies/${S}/..%2f..%2fpatients`,
      `/dicomweb/studies/${S}%2Fseries`,
      `/dicomweb/studies/${S}/series/..`,
      `/dicomweb/studies/${S}%5c..`,
      `/dicomweb/studies//${S}`,
      `/dicomweb/studies/${S}/./series`,
    ]) {
      assert.throws(() => parseDicomWebPath(path), DicomWebPathTrick)
    }
  })

  test('queries keep DICOM attributes and QIDO keys only, and reach Orthanc without percent-encoding its wildcards', ({
    assert,
  }) => {
    assert.deepEqual(
      cleanQuery(
        {
          'PatientName': 'Zhang*',
          '00100020': 'P1',
          'includefield': '00081030,00080060',
          'bad key': 'x',
          'limit': '5',
        },
        ['limit']
      ),
      {
        'PatientName': 'Zhang*',
        '00100020': 'P1',
        'includefield': '00081030,00080060',
      }
    )
    assert.equal(
      dicomWebQueryString({
        PatientName: 'Zhang^San*',
        contentType: 'application/dicom',
        q: 'a&b c',
      }),
      'PatientName=Zhang^San*&contentType=application/dicom&q=a%26b%20c'
    )
    // PS3.4 C.2.2.2.4's single-character wildcard reaches Orthanc as `?`, not as the text `%3F`
    assert.equal(dicomWebQueryString({ PatientName: 'Zhang?San' }), 'PatientName=Zhang?San')
  })

  test('a name pattern with `?` or Chinese goes to Orthanc widened and is matched here exactly', ({
    assert,
  }) => {
    const name = (alphabetic: string) => ({
      '00100010': { vr: 'PN', Value: [{ Alphabetic: alphabetic }] },
    })
    const { query, local } = widenForOrthanc({ PatientName: '张??', Modality: 'C?' })
    // Orthanc matches its index's form of a name (non-ASCII dropped): `?` cannot be trusted to it
    assert.deepEqual(query, { PatientName: '*', Modality: 'C?' })
    assert.isTrue(matchesLocally(name('张^三') as any, local))
    assert.isFalse(matchesLocally(name('张^三丰') as any, local))
    assert.isFalse(matchesLocally(name('李^三') as any, local))
    const ascii = widenForOrthanc({ PatientName: 'Zhang?San' })
    assert.deepEqual(ascii.query, { PatientName: 'Zhang*San' })
    assert.isTrue(matchesLocally(name('ZHANG^SAN') as any, ascii.local))
    assert.isFalse(matchesLocally(name('Zhang^^San') as any, ascii.local))
    assert.deepEqual(widenForOrthanc({ PatientName: 'Zhang*' }).local, [])
  })
})

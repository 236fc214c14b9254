/*
| What a DICOMweb request asks for, read from its path segment by segment.
| Only the shapes the viewer uses are known (PS3.18 §10.4 WADO-RS, §10.6 QIDO-RS,
| §9 WADO-URI); anything else is not a resource of ours and answers like a
| missing one. UIDs are checked to be UIDs (digits and dots, at most 64
| characters, PS3.5 §9.1) before anything reaches Orthanc, so a path trick
| (`..`, encoded slashes, a backslash) can never name another resource there.
*/

export type DicomWebKind =
  | 'search_studies'
  | 'search_series'
  | 'search_instances'
  | 'retrieve'
  | 'metadata'
  | 'rendered'
  | 'frames'
  | 'bulk'
  | 'wado_uri'

export interface DicomWebTarget {
  kind: DicomWebKind
  /** the Study Instance UID the request is about (absent only for a study search) */
  study: string | null
  series: string | null
  instance: string | null
  /** what is forwarded to Orthanc below its DICOMweb root, rebuilt from the checked parts */
  path: string
}

/** A path that tries to leave the DICOMweb tree (`..`, `%2f`, `\`): refused as bad input, not looked up. */
export class DicomWebPathTrick extends Error {}

const UID = /^[0-9]{1,64}(\.[0-9]{1,64})*$/
const FRAME_LIST = /^[1-9][0-9]{0,5}(,[1-9][0-9]{0,5}){0,199}$/
const FRAME = /^[1-9][0-9]{0,5}$/
const BULK_PART = /^([0-9A-Fa-f]{8}|[0-9]{1,5})$/

export function isUid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && UID.test(value)
}

/**
 * @param rawPath the request's path as it came (not decoded), e.g. `/dicomweb/studies/1.2.3/metadata`
 * @returns the target, or null when it is not a DICOMweb resource the viewer uses
 * @throws DicomWebPathTrick for an encoded or relative path
 */
export function parseDicomWebPath(
  rawPath: string,
  query: Record<string, unknown> = {}
): DicomWebTarget | null {
  const prefix = '/dicomweb/'
  if (!rawPath.startsWith(prefix)) return null
  const rest = rawPath.slice(prefix.length).replace(/\/$/, '')
  if (/%|\\|\.\.|\/\/|\/\.|\.\//.test(rest) || /^\./.test(rest))
    throw new DicomWebPathTrick(rawPath)
  if (!/^[A-Za-z0-9.,/]*$/.test(rest)) throw new DicomWebPathTrick(rawPath)
  const parts = rest.split('/')

  if (parts.length === 1 && parts[0] === 'wado') return wadoUri(query)
  if (parts[0] !== 'studies') return null
  if (parts.length === 1)
    return { kind: 'search_studies', study: null, series: null, instance: null, path: 'studies' }

  const [, study, level2, series, level4, instance, level6, ...tail] = parts
  if (!isUid(study)) return null
  const studyPath = `studies/${study}`
  const at = (
    kind: DicomWebKind,
    path: string,
    s: string | null = null,
    i: string | null = null
  ): DicomWebTarget => ({ kind, study, series: s, instance: i, path })

  if (level2 === undefined) return at('retrieve', studyPath)
  if (parts.length === 3) {
    if (level2 === 'metadata') return at('metadata', `${studyPath}/metadata`)
    if (level2 === 'rendered') return at('rendered', `${studyPath}/rendered`)
    if (level2 === 'series') return at('search_series', `${studyPath}/series`)
    if (level2 === 'instances') return at('search_instances', `${studyPath}/instances`)
    return null
  }
  if (level2 !== 'series' || !isUid(series)) return null
  const seriesPath = `${studyPath}/series/${series}`
  if (level4 === undefined) return at('retrieve', seriesPath, series)
  if (parts.length === 5) {
    if (level4 === 'metadata') return at('metadata', `${seriesPath}/metadata`, series)
    if (level4 === 'rendered') return at('rendered', `${seriesPath}/rendered`, series)
    if (level4 === 'instances') return at('search_instances', `${seriesPath}/instances`, series)
    return null
  }
  if (level4 !== 'instances' || !isUid(instance)) return null
  const instancePath = `${seriesPath}/instances/${instance}`
  if (level6 === undefined) return at('retrieve', instancePath, series, instance)
  if (tail.length === 0) {
    if (level6 === 'metadata') return at('metadata', `${instancePath}/metadata`, series, instance)
    if (level6 === 'rendered') return at('rendered', `${instancePath}/rendered`, series, instance)
    return null
  }
  if (level6 === 'frames') {
    if (tail.length === 1 && FRAME_LIST.test(tail[0]))
      return at('frames', `${instancePath}/frames/${tail[0]}`, series, instance)
    if (tail.length === 2 && FRAME.test(tail[0]) && tail[1] === 'rendered')
      return at('rendered', `${instancePath}/frames/${tail[0]}/rendered`, series, instance)
    return null
  }
  if (level6 === 'bulk' && tail.length <= 8 && tail.every((part) => BULK_PART.test(part))) {
    return at('bulk', `${instancePath}/bulk/${tail.join('/')}`, series, instance)
  }
  return null
}

/** WADO-URI (PS3.18 §9): the UIDs are query parameters. */
function wadoUri(query: Record<string, unknown>): DicomWebTarget | null {
  const { requestType, studyUID, seriesUID, objectUID } = query
  if (requestType !== 'WADO' || !isUid(studyUID) || !isUid(seriesUID) || !isUid(objectUID))
    return null
  return { kind: 'wado_uri', study: studyUID, series: seriesUID, instance: objectUID, path: 'wado' }
}

import { inject } from '@adonisjs/core'
import type User from '#models/user'
import {
  OrthancClient,
  type DicomJsonElement,
  type DicomWebAnswer,
} from '#app/orthanc/orthanc_client'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { HiddenRecord } from '#app/platform/http/use_case'
import type { DicomWebTarget } from '#app/viewer/services/dicomweb_path'
import { visibleStudyUids, type OpenStudy } from '#app/viewer/services/study_access'

/*
| The viewer's DICOMweb, through the app. Searches (QIDO-RS) are answered only
| with studies the person may open: Orthanc is asked the person's query, and
| whatever it matched of other clinics is dropped before paging, so a wildcard
| (`PatientName=张*`) never reveals another clinic's patient or how many there
| are. Retrievals (WADO-RS, WADO-URI) are streamed from Orthanc as they come,
| for a study already checked; Orthanc itself checks that the series and
| instance in the path belong to that study (it answers 404 otherwise).
*/

type Dataset = Record<string, DicomJsonElement>

/** Where the browser reached the app: Orthanc writes its URLs for this host (never its own port). */
export interface PublicAddress {
  host: string
  proto: 'http' | 'https'
}

export type Query = Record<string, string | string[]>

const STUDY_UID = '0020000D'
const SERIES_UID = '0020000E'
const QUERY_KEY = /^([A-Za-z][A-Za-z0-9]{0,63}|[0-9A-Fa-f]{8}(\.[0-9A-Fa-f]{8}){0,3})$/
/** PS3.18 §8.3.4: paging parameters the app applies itself, after filtering. */
const PAGING = new Set(['limit', 'offset'])
const MAX_RESULTS = 1000

function firstValue(dataset: Dataset, tag: string) {
  const value = dataset?.[tag]?.Value?.[0]
  return typeof value === 'string' ? value : null
}

/** Query parameters as given, minus anything that is not a DICOM attribute or a known QIDO key. */
export function cleanQuery(raw: Record<string, unknown>, drop: string[] = []): Query {
  const query: Query = {}
  const dropped = new Set(drop.map((key) => key.toLowerCase()))
  for (const [key, value] of Object.entries(raw)) {
    if (!QUERY_KEY.test(key) || dropped.has(key.toLowerCase())) continue
    const values = (Array.isArray(value) ? value : [value]).filter(
      (v): v is string => typeof v === 'string' && v.length <= 1024
    )
    if (values.length === 0) continue
    query[key] = values.length === 1 ? values[0] : values.slice(0, 64)
  }
  return query
}

/*
| Orthanc 1.10's DICOMweb plugin matches no query value with a non-ASCII
| character (`PatientName=张*`, percent-encoded or raw, in either default
| encoding: measured), so a Chinese name search found nothing. Such values are
| widened for Orthanc (each run of non-ASCII characters becomes `*`) and the
| app applies the person's own pattern to what comes back, with DICOM's
| wildcard rules (PS3.4 C.2.2.2.4: `*` any run, `?` one character; PN matched
| case-insensitively like Orthanc's QidoCaseSensitive false), against every
| component group of a PN (alphabetic, ideographic, phonetic).
| A `?` is widened too: Orthanc matches its index's form of a name, upper-cased
| with the non-ASCII characters dropped (张^三 is `^` there, one character), so
| `张??` would find nothing there; as `*` it finds a superset the app narrows.
*/
const TEXT_KEYS: Record<string, string> = {
  PatientName: '00100010',
  ReferringPhysicianName: '00080090',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  InstitutionName: '00080080',
}
const NON_ASCII = /[\u{80}-\u{10ffff}]/u

function tagOfTextKey(key: string) {
  const upper = key.toUpperCase()
  for (const [keyword, tag] of Object.entries(TEXT_KEYS))
    if (keyword === key || tag === upper) return tag
  return null
}

export interface LocalMatch {
  tag: string
  pattern: RegExp
}

/** The query Orthanc is sent, and the patterns the app matches itself (non-ASCII text values). */
export function widenForOrthanc(query: Query): { query: Query; local: LocalMatch[] } {
  const widened: Query = {}
  const local: LocalMatch[] = []
  for (const [key, value] of Object.entries(query)) {
    const tag = tagOfTextKey(key)
    if (
      tag === null ||
      typeof value !== 'string' ||
      !(NON_ASCII.test(value) || value.includes('?'))
    ) {
      widened[key] = value
      continue
    }
    widened[key] = value.replace(/[\u{80}-\u{10ffff}?]+/gu, '*').replace(/\*+/g, '*')
    local.push({ tag, pattern: wildcardPattern(value) })
  }
  return { query: widened, local }
}

/** A DICOM wildcard pattern (`*`, `?`; `\\` separates values, any of which may match) as an anchored RegExp. */
export function wildcardPattern(value: string): RegExp {
  const alternatives = value
    .split('\\')
    .map((one) =>
      [...one]
        .map((char) =>
          char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
        )
        .join('')
    )
  return new RegExp(`^(?:${alternatives.join('|')})$`, 'iu')
}

function textValues(dataset: Dataset, tag: string): string[] {
  const values = dataset?.[tag]?.Value ?? []
  return (values as unknown[]).flatMap((value) => {
    if (typeof value === 'string') return [value]
    if (value && typeof value === 'object')
      return Object.values(value as Record<string, unknown>).filter(
        (part): part is string => typeof part === 'string'
      )
    return []
  })
}

export function matchesLocally(dataset: Dataset, local: LocalMatch[]) {
  return local.every(({ tag, pattern }) =>
    textValues(dataset, tag).some((text) => pattern.test(text))
  )
}

function pagingOf(raw: Record<string, unknown>) {
  const number = (value: unknown, fallback: number) =>
    typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : fallback
  return {
    offset: number(raw.offset, 0),
    limit: Math.min(number(raw.limit, MAX_RESULTS), MAX_RESULTS),
  }
}

@inject()
export class DicomWebProxy {
  constructor(protected orthanc: OrthancClient) {}

  /** QIDO-RS /studies: the person's query, answered with the studies they may open only. */
  async searchStudies(
    user: User,
    raw: Record<string, unknown>,
    address: PublicAddress
  ): Promise<Dataset[]> {
    const { query, local } = widenForOrthanc(cleanQuery(raw, [...PAGING]))
    const found = (
      (await this.orthanc.dicomWebSearch({
        path: 'studies',
        query,
        publicHost: address.host,
        publicProto: address.proto,
      })) ?? []
    ).filter((study) => matchesLocally(study, local))
    const uids = found
      .map((study) => firstValue(study, STUDY_UID))
      .filter((uid): uid is string => uid !== null)
    const visible = await visibleStudyUids(user, uids)
    const { offset, limit } = pagingOf(raw)
    return found
      .filter((study) => visible.has(firstValue(study, STUDY_UID) ?? ''))
      .slice(offset, offset + limit)
  }

  /** QIDO-RS within one study (its series, its instances): never a held series, never another study. */
  async searchWithin(
    study: OpenStudy,
    target: DicomWebTarget,
    raw: Record<string, unknown>,
    address: PublicAddress
  ): Promise<Dataset[]> {
    if (target.series && study.heldSeries.has(target.series))
      throw new HiddenRecord('exam', study.exam.id)
    // The path names the study (and series); a query parameter may not name another one.
    const { query, local } = widenForOrthanc(
      cleanQuery(raw, [
        ...PAGING,
        'StudyInstanceUID',
        STUDY_UID,
        ...(target.series ? ['SeriesInstanceUID', SERIES_UID] : []),
      ])
    )
    const found = await this.orthanc.dicomWebSearch({
      path: target.path,
      query,
      publicHost: address.host,
      publicProto: address.proto,
    })
    if (found === null) return []
    const { offset, limit } = pagingOf(raw)
    return found
      .filter((item) => {
        const studyUid = firstValue(item, STUDY_UID)
        const seriesUid = firstValue(item, SERIES_UID)
        if (studyUid !== null && studyUid !== target.study) return false
        if (!matchesLocally(item, local)) return false
        if (target.series && seriesUid !== null && seriesUid !== target.series) return false
        return !(seriesUid !== null && study.heldSeries.has(seriesUid))
      })
      .slice(offset, offset + limit)
  }

  /**
   * WADO-RS (study, series, instance, metadata, frames, rendered, bulk data)
   * and WADO-URI of a study the person may open, streamed. Orthanc's refusals
   * become ours: 404 (the series or instance is not in this study) is the
   * same "not found" as another clinic's study.
   */
  async retrieve(
    study: OpenStudy,
    target: DicomWebTarget,
    raw: Record<string, unknown>,
    accept: string | undefined,
    address: PublicAddress
  ): Promise<DicomWebAnswer> {
    if (target.series && study.heldSeries.has(target.series))
      throw new HiddenRecord('exam', study.exam.id)
    // A study-wide answer would carry the held series with it: only their own series are served then.
    if (!target.series && study.heldSeries.size > 0)
      throw new DomainRefusal('study_has_held_series', 'viewer.errors.held_series', {}, 409)
    const query = target.kind === 'wado_uri' ? wadoUriQuery(raw) : cleanQuery(raw)
    const answer = await this.orthanc.dicomWeb({
      path: target.path,
      query,
      accept,
      publicHost: address.host,
      publicProto: address.proto,
    })
    if (answer.status >= 200 && answer.status < 300) return answer
    answer.stream.resume()
    // Orthanc answers 404, or 400 when the UIDs in the path are not one study's series and instance: either
    // way the resource named does not exist in this study, and is answered like another clinic's.
    if (answer.status === 404 || (answer.status === 400 && target.kind !== 'wado_uri'))
      throw new HiddenRecord('exam', study.exam.id)
    if (answer.status === 406 || answer.status === 415)
      throw new DomainRefusal('not_acceptable', 'viewer.errors.not_acceptable', {}, 406)
    if (answer.status === 400)
      throw new DomainRefusal('bad_request', 'viewer.errors.bad_request', {}, 400)
    throw new DomainRefusal('store_failed', 'viewer.errors.store_failed', {}, 502)
  }
}

/** WADO-URI's own parameters (PS3.18 §9.1.2), the UIDs already checked. */
function wadoUriQuery(raw: Record<string, unknown>): Query {
  const query: Query = {}
  for (const key of [
    'requestType',
    'studyUID',
    'seriesUID',
    'objectUID',
    'contentType',
    'transferSyntax',
    'frameNumber',
    'rows',
    'columns',
    'windowCenter',
    'windowWidth',
    'anonymize',
  ]) {
    const value = raw[key]
    if (typeof value === 'string' && value.length <= 128 && /^[A-Za-z0-9.,/+\-;= ]*$/.test(value))
      query[key] = value
  }
  return query
}

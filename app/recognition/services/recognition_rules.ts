import { DateTime } from 'luxon'
import imaging from '#config/imaging'

/*
| The rules of mutual recognition, without the database (R 6.2, R 6.4, R 6.5, B, H 一).
| Services load the facts and ask these; unit tests call them directly.
*/

/** Hospital grades, higher is upper (医院等级). */
export const LEVEL_RANK: Record<string, number> = {
  三级甲等: 6,
  三级乙等: 5,
  二级甲等: 4,
  二级乙等: 3,
  一级甲等: 2,
  一级: 1,
  未定级: 0,
}

export function levelRank(level: string | null | undefined) {
  return level ? (LEVEL_RANK[level] ?? 0) : 0
}

/** R 6.2: 城市医联体、县域医共体内各医疗机构 — the lead hospital and its member clinics. */
export const ALLIANCE_KINDS = ['lead_hospital', 'member_clinic']

export interface InstitutionFacts {
  id: number
  name: string
  kind: string
  level: string | null
  isPublic: boolean
  /** a QC-centre evaluation passed (R 6.2, for institutions below the catalogue's level), hospital dates yyyy-MM-dd */
  qcEvaluationPassedOn: string | null
  qcEvaluationValidUntil: string | null
}

export interface CatalogueFacts {
  code: string
  name: string
  mark: string
  scopeRank: number
  minLevel: string
  requiresPublic: boolean
}

export interface ItemEvaluationFacts {
  passed: boolean
  evaluatedOn: string
  validUntil: string | null
}

export interface SuspensionFacts {
  modality: string
  suspendedAt: DateTime
  liftedAt: DateTime | null
}

export function isAllianceMember(institution: Pick<InstitutionFacts, 'kind'>) {
  return ALLIANCE_KINDS.includes(institution.kind)
}

/** Between two hospital dates, both included (a null end is open). */
function within(day: string, from: string | null, until: string | null) {
  if (!from || day < from) return false
  return !until || day <= until
}

/**
 * Whether an institution is in a catalogue's recognised scope on a day: by its level (R 6.2: level-2
 * public and above; H 一: 二级甲等 and above) or by a QC-centre evaluation it passed (R 6.2), in force that day.
 */
export function institutionQualifies(
  institution: InstitutionFacts,
  catalogue: Pick<CatalogueFacts, 'minLevel' | 'requiresPublic'>,
  day: string
) {
  const byLevel =
    levelRank(institution.level) >= levelRank(catalogue.minLevel) &&
    (!catalogue.requiresPublic || institution.isPublic)
  return (
    byLevel || within(day, institution.qcEvaluationPassedOn, institution.qcEvaluationValidUntil)
  )
}

/** R 6.4, R 9.1: the item passed its QC evaluation at that institution and the evaluation was in force that day. */
export function itemEvaluationInForce(
  evaluation: ItemEvaluationFacts | null | undefined,
  day: string
) {
  return (
    !!evaluation && evaluation.passed && within(day, evaluation.evaluatedOn, evaluation.validUntil)
  )
}

/**
 * R 9.1: while an institution × modality is suspended for falling QC none of its results of that modality are
 * recognised; once lifted, those made during the suspension stay unrecognised.
 */
export function suspendedAt(suspensions: SuspensionFacts[], modality: string, at: DateTime) {
  return suspensions.some(
    (s) => s.modality === modality && (!s.liftedAt || (s.suspendedAt <= at && s.liftedAt > at))
  )
}

/**
 * R 6.2: does the receiving institution accept a result of the performing one? Its own, yes; inside the
 * alliance all members accept each other; otherwise the performer must be in the catalogue's scope and not
 * lower than the receiver (same level accept each other, lower levels accept upper ones).
 */
export function receiverAccepts(
  receiver: InstitutionFacts,
  performer: InstitutionFacts,
  catalogue: CatalogueFacts,
  day: string
) {
  if (receiver.id === performer.id) return true
  if (isAllianceMember(receiver) && isAllianceMember(performer)) return true
  return (
    institutionQualifies(performer, catalogue, day) &&
    levelRank(performer.level) >= levelRank(receiver.level)
  )
}

/** B: when several catalogues' marks apply, the widest scope wins (ties: the catalogue code, for a stable answer). */
export function widestMark<T extends Pick<CatalogueFacts, 'scopeRank' | 'code'>>(
  candidates: T[]
): T | null {
  let best: T | null = null
  for (const candidate of candidates) {
    if (
      !best ||
      candidate.scopeRank > best.scopeRank ||
      (candidate.scopeRank === best.scopeRank && candidate.code < best.code)
    )
      best = candidate
  }
  return best
}

/** R 7.2: the same item is the same category + body part + method + position, whichever catalogue names it. */
export function itemKey(item: {
  modality: string
  bodyPart: string
  method: string
  position: string | null
}) {
  return [item.modality, item.bodyPart, item.method, item.position ?? ''].join('|')
}

/** The hospital day of an instant, yyyy-MM-dd. */
export function hospitalDay(at: DateTime) {
  return at.setZone(imaging.displayTimezone).toISODate()!
}

/** R 6.5: a result is recent enough when performed at most `windowDays` days before now. */
export function withinWindow(performedAt: DateTime, now: DateTime, windowDays: number) {
  return performedAt <= now && now.diff(performedAt, 'days').days <= windowDays
}

import { calendarDay } from '#app/platform/dates'
/*
| Which certificates each person must hold and which are running out
| (C 7.1.2–7.1.4 for the lead hospital; C 7.2.2–7.2.3 repeat them for members'
| technologists and nurses; member doctors need the same licences by law).
*/
import { DateTime } from 'luxon'
import type { CertificateKind } from '#models/staff_certificate'
import type { Profession } from '#models/staff_member'

export const REQUIRED_CERTIFICATES: Record<Profession, CertificateKind[]> = {
  // C 7.1.2: 医师资格证, 医师执业证 (执业范围 医学影像和放射治疗专业), 放射工作人员证
  doctor: ['physician_qualification', 'physician_practice', 'radiation_worker'],
  // C 7.1.3 / C 7.2.2: 医学影像技术专业职称证, 放射工作人员证
  technologist: ['technologist_title', 'radiation_worker'],
  // C 7.1.4 / C 7.2.3: 专业技术人员职业资格证, 护士执业证, 放射工作人员证
  nurse: ['nurse_qualification', 'nurse_practice', 'radiation_worker'],
}

/** Flag a certificate this many days before it expires, so renewal can be arranged in time. */
export const EXPIRY_WARNING_DAYS = 60

export type CertificateState = 'valid' | 'expiring' | 'expired' | 'no_expiry'

/** A certificate is good through its expiry date and expired the day after. */
export function certificateState(
  expiresOn: DateTime | null,
  today: DateTime
): { state: CertificateState; daysLeft: number | null } {
  if (!expiresOn) return { state: 'no_expiry', daysLeft: null }
  const daysLeft = Math.round(calendarDay(expiresOn).diff(calendarDay(today), 'days').days)
  if (daysLeft < 0) return { state: 'expired', daysLeft }
  if (daysLeft <= EXPIRY_WARNING_DAYS) return { state: 'expiring', daysLeft }
  return { state: 'valid', daysLeft }
}

export interface CertificateLike {
  kind: CertificateKind
  expiresOn: DateTime | null
  imagingScope: boolean
}

export type CertificateFlag =
  | { code: 'missing'; kind: CertificateKind }
  | { code: 'expired' | 'expiring'; kind: CertificateKind; expiresOn: string; daysLeft: number }
  | { code: 'scope'; kind: CertificateKind }

/** Everything wrong with one person's certificates today; an empty list means all is in order. */
export function certificateFlags(
  profession: Profession,
  certificates: CertificateLike[],
  today: DateTime
): CertificateFlag[] {
  const flags: CertificateFlag[] = []
  for (const kind of REQUIRED_CERTIFICATES[profession]) {
    if (!certificates.some((c) => c.kind === kind)) flags.push({ code: 'missing', kind })
  }
  for (const certificate of certificates) {
    const { state, daysLeft } = certificateState(certificate.expiresOn, today)
    if (state === 'expired' || state === 'expiring') {
      flags.push({
        code: state,
        kind: certificate.kind,
        expiresOn: certificate.expiresOn!.toISODate()!,
        daysLeft: daysLeft!,
      })
    }
    // C 7.1.2: a doctor's practice scope must be 医学影像和放射治疗专业.
    if (
      profession === 'doctor' &&
      certificate.kind === 'physician_practice' &&
      !certificate.imagingScope
    ) {
      flags.push({ code: 'scope', kind: certificate.kind })
    }
  }
  return flags
}

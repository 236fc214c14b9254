import { inject } from '@adonisjs/core'
import type { DateTime } from 'luxon'
import User from '#models/user'
import Institution from '#models/institution'
import CriticalValueContact, { type Duty } from '#models/critical_value_contact'
import type { DeliveryReason } from '#models/critical_value_delivery'
import { Clock } from '#app/platform/clock'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { canReceive, contactRefusal } from '#app/critical_values/critical_value_rules'

export interface Recipient {
  user: User
  reason: DeliveryReason
}

/*
| Who receives a critical value. Administrators keep three standing duties
| (on duty at a clinic, the clinic's head, the lead hospital's duty desk);
| clinic staff may also put themselves on or off duty. When nobody at a
| clinic is marked on duty, every active clinic-staff account of the clinic
| receives the alert: an empty roster must never mean an unheard alert.
*/
@inject()
export class DutyRoster {
  constructor(protected clock: Clock) {}

  protected async withDuty(duty: Duty, institutionId?: number) {
    const contacts = await CriticalValueContact.query()
      .where('duty', duty)
      .whereHas('user', (q) => {
        if (institutionId !== undefined) q.where('institution_id', institutionId)
      })
      .preload('user', (q) => q.preload('institution'))
    return contacts.map((c) => c.user)
  }

  /** The administrator's contacts page: one institution's people and their duties, and every clinic at a glance. */
  async contactsOverview(institutionId?: number) {
    const institutions = await Institution.query().where('active', true).orderBy('code')
    const chosen =
      institutionId ||
      institutions.find((i) => i.kind === 'lead_hospital')?.id ||
      institutions[0]?.id
    const institution = institutions.find((i) => i.id === chosen) ?? null
    const users = institution
      ? await User.query()
          .where('institution_id', institution.id)
          .whereIn('role', ['clinic_staff', 'radiologist', 'qc_officer'])
          .orderBy('role')
          .orderBy('full_name')
      : []
    const contacts = await CriticalValueContact.query().preload('user', (q) =>
      q.preload('institution')
    )
    const dutiesByUser = new Map<number, string[]>()
    for (const contact of contacts)
      dutiesByUser.set(contact.userId, [...(dutiesByUser.get(contact.userId) ?? []), contact.duty])
    const summary = institutions
      .filter((i) => i.kind !== 'lead_hospital')
      .map((i) => ({
        institution: i,
        onDuty: contacts
          .filter((c) => c.duty === 'on_duty' && c.user.institutionId === i.id)
          .map((c) => c.user.fullName),
        heads: contacts
          .filter((c) => c.duty === 'clinic_head' && c.user.institutionId === i.id)
          .map((c) => c.user.fullName),
      }))
    return {
      institutions,
      institution,
      users: users.map((u) => ({ user: u, duties: dutiesByUser.get(u.id) ?? [] })),
      summary,
      dutyDesk: contacts.filter((c) => c.duty === 'duty_desk').map((c) => c.user),
    }
  }

  protected usable(users: User[], now: DateTime) {
    return users.filter((u) => canReceive(u, now))
  }

  /**
   * The requesting doctor as a user: the exam holds the name as typed at
   * registration; it links to an account of that clinic when exactly one
   * active clinic-staff account has that full name.
   */
  async requestingDoctor(institutionId: number, name: string | null | undefined) {
    const wanted = (name ?? '').trim()
    if (!wanted) return null
    const matches = await User.query()
      .where('institution_id', institutionId)
      .where('role', 'clinic_staff')
      .where('status', 'active')
      .where('full_name', wanted)
      .limit(2)
    return matches.length === 1 ? matches[0] : null
  }

  /** Everyone a new alert goes to: those on duty at the clinic and the requesting doctor. */
  async clinicRecipients(
    institutionId: number,
    requestingDoctor: User | null
  ): Promise<Recipient[]> {
    const now = this.clock.now()
    const recipients: Recipient[] = []
    const onDuty = this.usable(await this.withDuty('on_duty', institutionId), now).filter(
      (u) => u.role === 'clinic_staff'
    )
    if (onDuty.length) {
      for (const user of onDuty) recipients.push({ user, reason: 'on_duty' })
    } else {
      const staff = await User.query()
        .where('institution_id', institutionId)
        .where('role', 'clinic_staff')
        .where('status', 'active')
      for (const user of this.usable(staff, now)) recipients.push({ user, reason: 'clinic_staff' })
    }
    if (
      requestingDoctor &&
      canReceive(requestingDoctor, now) &&
      !recipients.some((r) => r.user.id === requestingDoctor.id)
    ) {
      recipients.push({ user: requestingDoctor, reason: 'requesting_doctor' })
    }
    return recipients
  }

  /**
   * Escalation: the clinic's head(s) and the lead hospital's duty desk. With
   * no duty desk named, the lead hospital's intermediate-or-senior
   * radiologists stand in, so the escalation always reaches someone.
   */
  async escalationRecipients(
    institutionId: number
  ): Promise<{ recipients: Recipient[]; dutyDeskFallback: boolean }> {
    const now = this.clock.now()
    const recipients: Recipient[] = []
    for (const user of this.usable(await this.withDuty('clinic_head', institutionId), now)) {
      if (user.role === 'clinic_staff') recipients.push({ user, reason: 'clinic_head' })
    }
    let desk = this.usable(await this.withDuty('duty_desk'), now)
    const dutyDeskFallback = desk.length === 0
    if (dutyDeskFallback) {
      const seniors = await User.query()
        .where('role', 'radiologist')
        .whereIn('title', ['intermediate', 'senior'])
        .where('status', 'active')
        .whereHas('institution', (q) => q.where('kind', 'lead_hospital'))
        .preload('institution')
      desk = this.usable(seniors, now)
    }
    for (const user of desk)
      if (!recipients.some((r) => r.user.id === user.id))
        recipients.push({ user, reason: 'duty_desk' })
    return { recipients, dutyDeskFallback }
  }

  async isDutyDesk(user: Pick<User, 'id'>) {
    return !!(await CriticalValueContact.query()
      .where('user_id', user.id)
      .where('duty', 'duty_desk')
      .first())
  }

  async dutiesOf(userId: number) {
    const rows = await CriticalValueContact.query().where('user_id', userId)
    return rows.map((r) => r.duty)
  }

  /** An administrator gives or takes a duty. */
  async assign(actor: User, userId: number, duty: Duty, on: boolean) {
    const user = await User.query().where('id', userId).preload('institution').first()
    if (!user) throw DomainRefusal.notFound('user')
    if (on) {
      const refusal = contactRefusal(user, duty)
      if (refusal) throw refusal
      const existing = await CriticalValueContact.query()
        .where('user_id', user.id)
        .where('duty', duty)
        .first()
      if (!existing)
        await CriticalValueContact.create({
          userId: user.id,
          duty,
          assignedById: actor.id,
          assignedAt: this.clock.now(),
        })
    } else {
      await CriticalValueContact.query().where('user_id', user.id).where('duty', duty).delete()
    }
    return user
  }

  /** Clinic staff put themselves on or off duty at the start and end of a shift. */
  async setOwnDuty(user: User, on: boolean) {
    if (user.role !== 'clinic_staff')
      throw new DomainRefusal(
        'clinic_staff_only',
        'critical_values.contacts.clinic_staff_only',
        {},
        403
      )
    return this.assign(user, user.id, 'on_duty', on)
  }
}

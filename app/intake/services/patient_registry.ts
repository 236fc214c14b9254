import { createHmac } from 'node:crypto'
import { DateTime } from 'luxon'
import { Encryption } from '@adonisjs/core/encryption'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import env from '#start/env'
import Patient, { type Sex } from '#models/patient'
import ClinicPatient from '#models/clinic_patient'
import type Institution from '#models/institution'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { isDuplicateKey } from '#app/platform/db_helpers'

/*
| One person is one patient across the alliance. The national ID number is
| stored encrypted (C 8.5) and found by a keyed hash, so two clinics that
| register the same person share the record without anyone decrypting IDs.
*/

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CODES = '10X98765432'

export function normaliseNationalId(raw: string) {
  return raw.replace(/\s+/g, '').toUpperCase()
}

/** GB 11643: 18 characters, a valid birth date inside, and the ISO 7064 check character. */
export function checkNationalId(
  id: string
): { valid: false } | { valid: true; birthDate: DateTime; sex: Sex } {
  if (!/^\d{17}[\dX]$/.test(id)) return { valid: false }
  const sum = WEIGHTS.reduce((total, weight, index) => total + weight * Number(id[index]), 0)
  if (CHECK_CODES[sum % 11] !== id[17]) return { valid: false }
  const birthDate = DateTime.fromFormat(id.slice(6, 14), 'yyyyMMdd', { zone: 'utc' })
  if (!birthDate.isValid) return { valid: false }
  return { valid: true, birthDate, sex: Number(id[16]) % 2 === 1 ? 'M' : 'F' }
}

/** Data masking (脱敏): the first 3 and last 4 characters only. */
export function maskNationalId(id: string) {
  return `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}`
}

export interface PatientInput {
  name: string
  sex: Sex
  birthDate: DateTime
  clinicPatientNo: string
  nationalId?: string | null
  phone?: string | null
}

export interface RegisteredPatient {
  patient: Patient
  clinicPatient: ClinicPatient
  /** true when the person was already known to the alliance (another clinic) */
  linkedExisting: boolean
}

export class PatientRegistry {
  #encryption = new Encryption({
    secret: env.get('PATIENT_ID_ENCRYPTION_KEY') || env.get('APP_KEY'),
  })

  hashNationalId(id: string) {
    return createHmac('sha256', env.get('PATIENT_ID_HASH_KEY')).update(id).digest('hex')
  }

  decryptNationalId(patient: Patient) {
    return patient.nationalIdCipher
      ? (this.#encryption.decrypt<string>(patient.nationalIdCipher) ?? null)
      : null
  }

  /**
   * Registers a patient at a clinic, or links the clinic's number to the
   * alliance's existing record of the same person (matched by national ID).
   * Refuses, changing nothing, when the identity does not add up (C 9.2.4).
   */
  async register(
    clinic: Institution,
    input: PatientInput,
    outer?: TransactionClientContract
  ): Promise<RegisteredPatient> {
    const name = input.name.trim()
    const clinicPatientNo = input.clinicPatientNo.trim()
    let nationalId: string | null = null
    if (input.nationalId) {
      nationalId = normaliseNationalId(input.nationalId)
      const check = checkNationalId(nationalId)
      if (!check.valid)
        throw new DomainRefusal('national_id_invalid', 'intake.patient.national_id_invalid')
      if (!check.birthDate.hasSame(input.birthDate, 'day')) {
        throw new DomainRefusal('national_id_birth_date', 'intake.patient.national_id_birth_date')
      }
      if (input.sex !== check.sex)
        throw new DomainRefusal('national_id_sex', 'intake.patient.national_id_sex')
    }

    const work = async (trx: TransactionClientContract) => {
      const taken = await ClinicPatient.query({ client: trx })
        .where('institution_id', clinic.id)
        .where('clinic_patient_no', clinicPatientNo)
        .first()
      if (taken) {
        throw new DomainRefusal(
          'clinic_patient_no_taken',
          'intake.patient.clinic_patient_no_taken',
          { number: clinicPatientNo }
        )
      }

      let patient: Patient | null = null
      const hash = nationalId ? this.hashNationalId(nationalId) : null
      if (hash) {
        patient = await Patient.query({ client: trx })
          .where('national_id_hash', hash)
          .forUpdate()
          .first()
        if (patient) {
          // The same ID with a different name or birth date is a typing error or a false identity.
          if (patient.name !== name || !patient.birthDate.hasSame(input.birthDate, 'day')) {
            throw new DomainRefusal('identity_mismatch', 'intake.patient.identity_mismatch')
          }
          const here = await ClinicPatient.query({ client: trx })
            .where('patient_id', patient.id)
            .where('institution_id', clinic.id)
            .first()
          if (here) {
            throw new DomainRefusal(
              'already_registered_here',
              'intake.patient.already_registered_here',
              {
                number: here.clinicPatientNo,
              }
            )
          }
        }
      }
      const linkedExisting = patient !== null
      if (!patient) {
        patient = await Patient.create(
          {
            name,
            sex: input.sex,
            birthDate: input.birthDate,
            phone: input.phone ?? null,
            nationalIdHash: hash,
            nationalIdCipher: nationalId ? this.#encryption.encrypt(nationalId) : null,
            nationalIdMasked: nationalId ? maskNationalId(nationalId) : null,
          },
          { client: trx }
        )
      }
      const clinicPatient = await ClinicPatient.create(
        { patientId: patient.id, institutionId: clinic.id, clinicPatientNo },
        { client: trx }
      )
      return { patient, clinicPatient, linkedExisting }
    }

    try {
      return outer ? await work(outer) : await db.transaction(work)
    } catch (error: any) {
      // Two clinics registering the same new person at the same instant: the unique hash decides.
      if (isDuplicateKey(error)) {
        throw new DomainRefusal(
          'registration_conflict',
          'intake.patient.registration_conflict',
          {},
          409
        )
      }
      throw error
    }
  }

  /** The clinic's own patients, newest first, optionally filtered by name or number. */
  clinicPatients(clinicId: number, search?: string | null) {
    const query = ClinicPatient.query()
      .where('institution_id', clinicId)
      .preload('patient')
      .orderBy('id', 'desc')
    if (search) {
      const term = `%${search.trim()}%`
      query.where((q) => {
        q.where('clinic_patient_no', 'like', term).orWhereHas('patient', (p) =>
          p.where('name', 'like', term)
        )
      })
    }
    return query
  }
}

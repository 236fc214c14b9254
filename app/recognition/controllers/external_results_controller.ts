import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import imaging from '#config/imaging'
import { useCase, done } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { mayDecide } from '#app/recognition/recognition_access'
import {
  ExternalResults,
  fromFhir,
  type ClinicExternalResultInput,
} from '#app/recognition/services/external_results'
import {
  externalResultValidator,
  externalResultsQueryValidator,
} from '#app/recognition/validators/recognition_validators'

type Listed = Awaited<ReturnType<ExternalResults['list']>>[number]
const listedJson = (r: Listed) => ({ ...r, performedAt: r.performedAt.toISO() })

/** A time as sent: with an offset as it says, without one in hospital time (a form's datetime-local). */
function performedAt(value: string | null | undefined) {
  const at = value ? DateTime.fromISO(value, { zone: imaging.displayTimezone }) : null
  if (!at?.isValid)
    throw new DomainRefusal('performed_at_invalid', 'recognition.refusals.performed_at_invalid')
  return at
}

/**
 * Results received from outside (R 6.5, R 6.6): the clinic's list and form, and the API an integration
 * token posts to (plain fields, or a FHIR R4 DiagnosticReport / ImagingStudy in `resource`).
 */
@inject()
export default class ExternalResultsController {
  constructor(protected results: ExternalResults) {}

  /** GET /recognition/external-results, GET /api/v1/recognition/external-results?clinicPatientId= */
  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.external.view',
      allow: mayDecide,
      input: externalResultsQueryValidator,
      run: async ({ user, input }) => {
        const results = await this.results.list(user, input.clinicPatientId)
        const [institutions, patients] = await Promise.all([
          db
            .from('institutions')
            .whereNot('id', user.institutionId)
            .where('active', true)
            .orderBy('kind')
            .orderBy('code')
            .select('id', 'name'),
          db
            .from('clinic_patients as cp')
            .join('patients as p', 'p.id', 'cp.patient_id')
            .where('cp.institution_id', user.institutionId)
            .orderBy('cp.id', 'desc')
            .limit(200)
            .select('cp.id', 'cp.clinic_patient_no', 'p.name'),
        ])
        return { results, institutions, patients, clinicPatientId: input.clinicPatientId ?? null }
      },
      json: ({ results }) => ({ data: results.map(listedJson) }),
      page: (state) => ctx.view.render('pages/recognition/external_results', state),
    })
  }

  /** POST /recognition/external-results, POST /api/v1/recognition/external-results */
  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.external.record',
      allow: mayDecide,
      input: externalResultValidator,
      run: ({ user, input }) => {
        const fhir = input.resource ? fromFhir(input.resource) : null
        const fields: ClinicExternalResultInput = {
          clinicPatientId: input.clinicPatientId,
          institutionId: input.institutionId,
          examItemId: input.examItemId ?? null,
          catalogue: fhir?.catalogue ?? null,
          code: fhir?.code ?? null,
          modality: input.modality ?? fhir?.modality ?? null,
          itemName: input.itemName ?? fhir?.itemName ?? null,
          performedAt: performedAt(input.performedAt ?? fhir?.performedAt),
          reference: input.reference ?? fhir?.reference ?? '',
          findings: input.findings ?? fhir?.findings ?? null,
          impression: input.impression ?? fhir?.impression ?? null,
          source: fhir ? 'fhir' : (input.source ?? 'manual'),
        }
        return this.results.record(user, fields)
      },
      audit: { target: (r) => ({ type: 'recognition_external_result', id: r.id }) },
      json: (r) => {
        ctx.response.status(r.created ? 201 : 200)
        return { data: r }
      },
      page: () =>
        done(ctx, 'recognition.external_page.recorded', {}, '/recognition/external-results'),
    })
  }
}

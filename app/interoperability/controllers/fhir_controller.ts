import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import type * as R4 from 'fhir/r4.js'
import { useCase, type RecordLoader } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { Clock } from '#app/platform/clock'
import { FhirService } from '#app/interoperability/fhir/fhir_service'
import { appBaseUrl, fhirClientOf, mayReadFhir } from '#app/interoperability/fhir/fhir_client'
import { SEARCHABLE, parseSearch, type FhirType } from '#app/interoperability/fhir/search_params'
import { capabilityStatement } from '#app/interoperability/fhir/capability_statement'
import { signedReportPdf } from '#app/reading/services/signed_report_pdf'

const FHIR_JSON = 'application/fhir+json; charset=utf-8'

function typeOf(ctx: HttpContext): FhirType {
  const type = String(ctx.params.type ?? '')
  if (!(type in SEARCHABLE))
    throw new DomainRefusal(
      'unknown_type',
      'interoperability.fhir.unknown_type',
      { type: type.slice(0, 40) },
      404
    )
  return type as FhirType
}

function fhirJson(ctx: HttpContext, body: unknown, status = 200) {
  return ctx.response.status(status).header('Content-Type', FHIR_JSON).send(JSON.stringify(body))
}

interface Found {
  type: FhirType
  id: string
  resource: R4.Resource | null
}

/** The resource a read names; one that exists outside the token's scope is hidden (404, audited with its id). */
const resourceTarget: RecordLoader<Found> = {
  type: 'fhir_resource',
  requested: (ctx) => `${ctx.params.type}/${ctx.params.id}`.slice(0, 64),
  find: async (ctx) => {
    const type = typeOf(ctx)
    const id = String(ctx.params.id)
    const service = await app.container.make(FhirService)
    const resource = await service.read(type, id, fhirClientOf(ctx))
    if (resource) return { type, id, resource }
    return (await service.exists(type, id)) ? { type, id, resource: null } : null
  },
  visible: (_ctx, found) => found.resource !== null,
  idOf: (found) => `${found.type}/${found.id}`,
}

const binaryTarget: RecordLoader<Awaited<ReturnType<FhirService['signedVersion']>>> = {
  type: 'fhir_resource',
  requested: (ctx) => `Binary/${ctx.params.id}`.slice(0, 64),
  find: async (ctx) =>
    (await app.container.make(FhirService)).signedVersion(String(ctx.params.id), fhirClientOf(ctx)),
  idOf: (found) => `Binary/report-${found!.version.id}`,
}

/** The read-only FHIR R4 API (C 8.1.2, C 8.3.1): read, search, the capability statement. */
export default class FhirController {
  metadata(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'fhir.metadata',
      audit: false,
      run: async () =>
        capabilityStatement(
          `${appBaseUrl(ctx)}/fhir/r4`,
          (await app.container.make(Clock)).now().toISO()!
        ),
      json: (statement) => fhirJson(ctx, statement),
    })
  }

  read(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'fhir.read',
      allow: mayReadFhir,
      target: resourceTarget,
      run: ({ target }) => target.resource!,
      json: (resource) => fhirJson(ctx, resource),
    })
  }

  search(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'fhir.search',
      allow: mayReadFhir,
      input: (c: HttpContext) => parseSearch(typeOf(c), c.request.qs()),
      run: async ({ input }) =>
        (await app.container.make(FhirService)).search(input, fhirClientOf(ctx)),
      audit: {
        details: (result, { input }) => ({
          type: input.type,
          query: Object.fromEntries(input.query),
          total: result.total,
        }),
      },
      json: (result, { input }) => {
        const base = `${fhirClientOf(ctx).baseUrl}/${input.type}`
        const link = (offset: number) => {
          const params = new URLSearchParams(input.query)
          params.set('_count', String(input.count))
          if (input.total) params.set('_total', input.total)
          params.set('_offset', String(offset))
          return `${base}?${params.toString()}`
        }
        const links: R4.BundleLink[] = [{ relation: 'self', url: link(input.offset) }]
        if (result.hasNext) links.push({ relation: 'next', url: link(input.offset + input.count) })
        if (input.offset > 0)
          links.push({ relation: 'previous', url: link(Math.max(0, input.offset - input.count)) })
        const bundle: R4.Bundle = {
          resourceType: 'Bundle',
          type: 'searchset',
          // Left out unless counted or shown by the page (R4 Bundle.total 0..1, `_total`).
          ...(result.total === null ? {} : { total: result.total }),
          link: links,
          entry: result.resources.map((resource) => ({
            fullUrl: `${fhirClientOf(ctx).baseUrl}/${resource.resourceType}/${resource.id}`,
            resource,
            search: { mode: 'match' },
          })),
        }
        return fhirJson(ctx, bundle)
      },
    })
  }

  /** `Binary/report-<version>`: the signed report's PDF (the DiagnosticReport's presentedForm). */
  binary(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'fhir.read',
      allow: mayReadFhir,
      target: binaryTarget,
      run: async ({ target }) =>
        (await signedReportPdf(target!.exam, target!.version.versionNo)).buffer,
      json: (pdf) => ctx.response.header('Content-Type', 'application/pdf').send(pdf),
    })
  }

  /** Every write: this server is read-only (refused, changes nothing, audited). */
  write(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'fhir.write',
      run: () => {
        throw new DomainRefusal(
          'read_only',
          'interoperability.fhir.read_only',
          { method: ctx.request.method() },
          405
        )
      },
    })
  }
}

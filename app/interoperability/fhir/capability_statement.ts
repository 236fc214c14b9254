import type * as R4 from 'fhir/r4.js'
import { SEARCHABLE, type FhirType } from '#app/interoperability/fhir/search_params'

const PARAM_TYPES: Record<string, R4.CapabilityStatementRestResourceSearchParam['type']> = {
  _id: 'token',
  identifier: 'token',
  patient: 'reference',
  date: 'date',
  status: 'token',
  _lastUpdated: 'date',
}

/** What this server does (R4 CapabilityStatement): read and search of four resource types, JSON only, no writes. */
export function capabilityStatement(baseUrl: string, date: string): R4.CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date,
    kind: 'instance',
    publisher: 'County medical-alliance imaging centre',
    software: { name: 'county-imaging-centre FHIR API' },
    implementation: {
      description: 'Read-only FHIR R4 API of the alliance imaging centre',
      url: baseUrl,
    },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          cors: false,
          service: [
            {
              coding: [
                {
                  system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                  code: 'OAuth',
                },
              ],
              text: 'Bearer integration token with the fhir:read scope',
            },
          ],
          description:
            "Integration tokens belong to an institution and a scope (fhir:read; fhir:national_id to see national ID numbers). A resource outside the token's institution scope answers 404.",
        },
        resource: (Object.keys(SEARCHABLE) as FhirType[]).map((type) => ({
          type,
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          versioning: 'no-version',
          readHistory: false,
          updateCreate: false,
          searchParam: SEARCHABLE[type].map((name) => ({ name, type: PARAM_TYPES[name] })),
        })),
      },
    ],
  }
}

import { defineConfig } from '@adonisjs/core/bodyparser'

const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: true,
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: true,
    types: [
      'application/json',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/csp-report',
    ],
  },
  // Image uploads are streamed file by file to Orthanc by app/intake; they are
  // never buffered or written to a temporary file by the body parser.
  multipart: {
    autoProcess: true,
    convertEmptyStringsToNull: true,
    processManually: ['/exams/:id/images', '/api/v1/exams/:accession/images'],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig

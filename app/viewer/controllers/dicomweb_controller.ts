import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { useCase } from '#app/platform/http/use_case'
import { needingOrthanc } from '#app/orthanc/unavailable'
import type { DicomWebAnswer } from '#app/orthanc/orthanc_client'
import {
  DicomWebPathTrick,
  parseDicomWebPath,
  type DicomWebTarget,
} from '#app/viewer/services/dicomweb_path'
import { DicomWebProxy } from '#app/viewer/services/dicomweb_proxy'
import { pipe, publicAddress } from '#app/viewer/dicomweb_answer'
import { mayView, studyNamed } from '#app/viewer/viewer_access'
import { grantPass } from '#app/viewer/services/viewer_pass'

type Opened = { datasets?: unknown[]; answer?: DicomWebAnswer }

function sendDatasets(ctx: HttpContext, datasets: unknown[]) {
  ctx.response.header('Content-Type', 'application/dicom+json')
  ctx.response.header('Cache-Control', 'private, no-store')
  return ctx.response.send(JSON.stringify(datasets))
}

/**
 * GET /dicomweb/* — the viewer's DICOMweb (QIDO-RS, WADO-RS, WADO-URI), after
 * the same checks as the exam page. One audit line per study and session
 * (`viewer.study.open`), not one per frame; every refusal is audited.
 */
@inject()
export default class DicomWebController {
  constructor(protected proxy: DicomWebProxy) {}

  handle(ctx: HttpContext) {
    const qs = ctx.request.qs() as Record<string, unknown>
    let target: DicomWebTarget | null
    try {
      target = parseDicomWebPath(ctx.request.url(), qs)
    } catch (error) {
      if (!(error instanceof DicomWebPathTrick)) throw error
      return useCase(ctx, {
        action: 'viewer.study.open',
        allow: mayView,
        run: () => {
          throw new DomainRefusal('bad_path', 'viewer.errors.bad_path', {}, 400)
        },
      })
    }
    if (target === null || (target.kind !== 'search_studies' && !target.study)) {
      return useCase(ctx, {
        action: 'viewer.study.open',
        allow: mayView,
        run: () => {
          throw DomainRefusal.notFound('exam')
        },
      })
    }
    const address = publicAddress(ctx)

    if (target.kind === 'search_studies') {
      return useCase(ctx, {
        action: 'viewer.studies.search',
        allow: mayView,
        // The query is what the audit line keeps (never the results); the same query is one line per session.
        input: () => qs,
        run: ({ user }) => needingOrthanc(() => this.proxy.searchStudies(user, qs, address)),
        audit: { once: () => JSON.stringify(qs) },
        json: (datasets) => sendDatasets(ctx, datasets),
      })
    }

    const found = target
    const search = found.kind === 'search_series' || found.kind === 'search_instances'
    return useCase(ctx, {
      action: 'viewer.study.open',
      allow: mayView,
      target: studyNamed(found.study!),
      audit: {
        once: ({ target: study }) => study.link.studyInstanceUid,
        details: (_result, { target: study }) => ({
          studyInstanceUid: study.link.studyInstanceUid,
          accession: study.exam.accessionNumber,
        }),
      },
      run: ({ target: study }): Promise<Opened> =>
        needingOrthanc(async () =>
          search
            ? { datasets: await this.proxy.searchWithin(study, found, qs, address) }
            : {
                answer: await this.proxy.retrieve(
                  study,
                  found,
                  qs,
                  ctx.request.header('accept'),
                  address
                ),
              }
        ),
      json: (opened) => {
        const result = opened as Opened
        if (result.datasets) return sendDatasets(ctx, result.datasets)
        // Allowed, audited, and Orthanc has it: this session's next retrievals of the study take the short way.
        grantPass(ctx, found.study!)
        return pipe(ctx, result.answer!)
      },
    })
  }
}

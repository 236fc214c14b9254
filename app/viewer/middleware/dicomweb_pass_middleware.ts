import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { canSeeExam } from '#app/access/visibility'
import { parseDicomWebPath, type DicomWebTarget } from '#app/viewer/services/dicomweb_path'
import { DicomWebProxy } from '#app/viewer/services/dicomweb_proxy'
import { openStudy } from '#app/viewer/services/study_access'
import { passFor } from '#app/viewer/services/viewer_pass'
import { pipe, publicAddress } from '#app/viewer/dicomweb_answer'

const RETRIEVALS = new Set<DicomWebTarget['kind']>([
  'retrieve',
  'metadata',
  'rendered',
  'frames',
  'bulk',
  'wado_uri',
])

/**
 * The short way for a viewer's next frames (app/viewer/services/viewer_pass.ts):
 * a GET retrieval of a study that this very session or token was allowed to
 * open moments ago by the full path. Who may see the study (its exam's clinic)
 * and its held series are decided again here, on every request. Anything else
 * — no pass, a search, a study not visible, a held series, Orthanc answering
 * other than 2xx or not at all — goes on to the full path, which decides,
 * answers and audits as before. A router middleware right after the transport
 * one (its HSTS and caching rules still apply), before the session, shield and
 * auth ones.
 */
export default class DicomWebPassMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const url = ctx.request.url()
    if (!url.startsWith('/dicomweb/') || ctx.request.method() !== 'GET') return next()
    const qs = ctx.request.qs() as Record<string, unknown>
    let target: DicomWebTarget | null
    try {
      target = parseDicomWebPath(url, qs)
    } catch {
      return next()
    }
    if (!target?.study || !RETRIEVALS.has(target.kind)) return next()
    const pass = passFor(ctx, target.study)
    if (!pass) return next()
    let answer
    try {
      const study = await openStudy(target.study)
      if (!study || !canSeeExam(pass.viewer, study.exam)) return next()
      const proxy = await app.container.make(DicomWebProxy)
      answer = await proxy.retrieve(
        study,
        target,
        qs,
        ctx.request.header('accept'),
        publicAddress(ctx)
      )
    } catch {
      // A refusal or a failure: the full path asks again, answers and audits it.
      return next()
    }
    // What shield adds to the full path's answer of the same request.
    ctx.response.header('X-Content-Type-Options', 'nosniff')
    ctx.response.header('X-Frame-Options', 'DENY')
    pipe(ctx, answer)
  }
}

import type { HttpContext } from '@adonisjs/core/http'
import type User from '#models/user'
import { examTarget } from '#app/access/exam_access'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { useCase } from '#app/platform/http/use_case'
import { resultMarks } from '#app/platform/result_marks'
import {
  appConfig,
  distFile,
  newNonce,
  ohifDist,
  viewerCsp,
  viewerIndex,
  VIEWER_BASE,
} from '#app/viewer/services/ohif_app'
import { viewerOpening, viewerUrl } from '#app/viewer/services/viewer_links'
import { isUid } from '#app/viewer/services/dicomweb_path'
import { linkedStudy, mayOpen } from '#app/viewer/services/study_access'
import { mayView } from '#app/viewer/viewer_access'

function origin(ctx: HttpContext) {
  return `${ctx.request.protocol()}://${ctx.request.host()}`
}

function viewerInstalled() {
  if (!ohifDist())
    throw new DomainRefusal('viewer_not_installed', 'viewer.errors.not_installed', {}, 503)
}

/** OHIF served by the app under /viewer, and the one-click opening of an exam in it. */
export default class ViewerController {
  /** GET /exams/:id/viewer — the exam (and its most recent prior) in the viewer. */
  open(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.viewer.open',
      allow: mayView,
      target: examTarget,
      run: async ({ user, target }) => {
        viewerInstalled()
        const opening = await viewerOpening(user, target)
        if (opening.studyInstanceUids.length === 0)
          throw new DomainRefusal('no_images', 'viewer.errors.no_images', {}, 409)
        return opening
      },
      audit: { details: (opening) => ({ priorExamId: opening.prior?.exam.id ?? null }) },
      page: (opening) => ctx.response.redirect(viewerUrl(opening, ctx.i18n.locale)),
      json: (opening) => ({
        data: {
          url: viewerUrl(opening, ctx.i18n.locale),
          studyInstanceUids: opening.studyInstanceUids,
          prior: opening.prior
            ? { id: opening.prior.exam.id, accessionNumber: opening.prior.exam.accessionNumber }
            : null,
        },
      }),
    })
  }

  /** GET /viewer/app-config.js */
  config(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'viewer.config',
      allow: mayView,
      audit: false,
      run: () => appConfig(origin(ctx)),
      page: (script) => this.send(ctx, script, 'text/javascript; charset=utf-8'),
      json: (script) => this.send(ctx, script, 'text/javascript; charset=utf-8'),
    })
  }

  /** GET /viewer and /viewer/* — a file of OHIF's dist/, or its page for any of its own routes. */
  serve(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'viewer.page',
      allow: mayView,
      // Not clinical data: the studies it shows are audited by the DICOMweb proxy, once per study.
      audit: false,
      run: async ({ user }) => {
        viewerInstalled()
        const rest = ctx.request.url().slice(VIEWER_BASE.length + 1)
        const file = distFile(rest)
        if (file) return { file }
        return { page: await this.page(ctx, user) }
      },
      page: (result) => this.respond(ctx, result),
      json: (result) => this.respond(ctx, result),
    })
  }

  protected respond(
    ctx: HttpContext,
    result: { file?: string; page?: { html: string; nonce: string } }
  ) {
    if (result.file) {
      ctx.response.header('Content-Security-Policy', viewerCsp())
      // The bundles' names carry their hash: they never change under the same name.
      ctx.response.header(
        'Cache-Control',
        /\.[0-9a-f]{16}\.(js|wasm)$|\.[0-9a-f]{16}\.wasm$/.test(result.file)
          ? 'private, max-age=31536000, immutable'
          : 'private, max-age=3600'
      )
      return ctx.response.download(result.file, true)
    }
    ctx.response.header('Content-Security-Policy', viewerCsp(result.page!.nonce))
    ctx.response.header('Cache-Control', 'private, no-store')
    ctx.response.header('Content-Type', 'text/html; charset=utf-8')
    return ctx.response.send(result.page!.html)
  }

  /**
   * OHIF's page. The recognition marks (R 6.4) of the studies being opened
   * that the person may see are written into it (window.imagingCentre.marks,
   * by Study Instance UID) for the viewport overlay's top-right corner
   * (ohif_app.ts CUSTOMIZATIONS); an exam that earns none shows nothing.
   */
  protected async page(ctx: HttpContext, user: User) {
    const nonce = newNonce()
    const uids = String(ctx.request.qs().StudyInstanceUIDs ?? '')
      .split(',')
      .filter(isUid)
      .slice(0, 8)
    const marks: Record<string, string> = {}
    for (const uid of uids) {
      const linked = await linkedStudy(uid)
      const mark =
        linked && mayOpen(user, linked) ? await resultMarks.forExam(linked.exam.id) : null
      if (mark) marks[uid] = ctx.i18n.t('viewer.result_mark', { code: mark.code })
    }
    // JSON inside a script: `<` escaped so no value can close the script element.
    const data = JSON.stringify({ marks }).replace(/</g, '\\u003c')
    const lang = ctx.i18n.locale.startsWith('zh') ? 'zh-CN' : 'en'
    // OHIF speaks the app's language (its zh translation for zh-CN) unless the URL asks for another (?lng=).
    const ohifLanguage = lang === 'zh-CN' ? 'zh' : 'en-US'
    const extraHead =
      `<script nonce="${nonce}">window.imagingCentre = ${data};` +
      `try { if (!/[?&]lng=/.test(location.search)) localStorage.setItem('i18nextLng', '${ohifLanguage}') } catch (e) {}</script>`
    return { html: viewerIndex({ nonce, lang, extraHead }), nonce }
  }

  protected send(ctx: HttpContext, body: string, type: string) {
    ctx.response.header('Content-Type', type)
    ctx.response.header('Cache-Control', 'private, no-store')
    return ctx.response.send(body)
  }
}

import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { CT_WINDOWS } from '#app/images/services/exam_images'
import { Workspace } from '#app/reading/services/workspace'
import { mayRead } from '#app/reading/reading_access'
import { reportJson } from '#app/reading/controllers/report_json'
import { timeLabel } from '#app/reading/controllers/time_label'
import { examTarget } from '#app/access/exam_access'
import { useCase } from '#app/platform/http/use_case'
import { QcForms } from '#app/quality/services/qc_forms'

type WorkspaceView = Awaited<ReturnType<Workspace['forExam']>>

function workspaceJson(view: WorkspaceView) {
  const exam = view.exam
  return {
    data: {
      id: exam.id,
      accessionNumber: exam.accessionNumber,
      status: exam.status,
      priority: exam.priority,
      modality: exam.modality,
      dueAt: exam.dueAt?.toISO() ?? null,
      minutesLeft: view.left?.minutes ?? null,
      claimedBy: exam.claimedBy
        ? { id: exam.claimedBy.id, fullName: exam.claimedBy.fullName }
        : null,
      working: view.working ? reportJson(view.working) : null,
      draft: view.draftRestored
        ? { savedAt: view.draftRestored.savedAt.toISO(), ...view.content }
        : null,
      versions: view.versions.filter((v) => v.status === 'signed').map(reportJson),
      priors: view.priors.map((p) => ({
        id: p.exam.id,
        accessionNumber: p.exam.accessionNumber,
        modality: p.exam.modality,
        examDate: p.examDate.toISODate(),
        institution: p.exam.institution.name,
        comparable: p.comparable,
        report: p.report ? reportJson(p.report) : null,
      })),
      templates: view.templates.map((t) => ({
        id: t.id,
        name: t.name,
        diagnosis: t.diagnosis,
        technique: t.technique,
        findings: t.findings,
        impression: t.impression,
      })),
      can: view.can,
    },
  }
}

/** The reading page of one exam: request, images, priors side by side, and the report editor. */
@inject()
export default class WorkspaceController {
  constructor(
    protected workspace: Workspace,
    protected forms: QcForms
  ) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.open',
      allow: mayRead,
      target: examTarget,
      run: async ({ user, target }) => ({
        ...(await this.workspace.forExam(user, target)),
        qc: await this.forms.readingPanel(user, target),
      }),
      json: (view) => {
        const shaped = workspaceJson(view)
        return {
          data: {
            ...shaped.data,
            qc: { marked: view.qc.mark?.marked ?? false, missing: view.qc.missing },
          },
        }
      },
      page: (view) =>
        ctx.view.render('pages/reading/workspace', {
          ...view,
          windowPresets: Object.keys(CT_WINDOWS),
          timeLabel: (minutes: number) => timeLabel(ctx.i18n, minutes),
        }),
    })
  }
}

import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { readFile } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import { useCase, done } from '#app/platform/http/use_case'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { Training, type MaterialFile } from '#app/assessments/services/training'
import { presenter } from '#app/assessments/services/assessment_presenter'
import {
  mayManageAssessments,
  mayViewAssessments,
  seesAllClinics,
  staffMemberTarget,
  trainingSessionTarget,
} from '#app/assessments/assessments_access'
import {
  attendanceValidator,
  trainingFilterValidator,
  trainingSessionValidator,
} from '#app/assessments/validators/assessment_validators'
import type User from '#models/user'

const MATERIAL_MAX = '20mb'

/** An uploaded material (multipart field `material`), or null when none was chosen. */
async function materialOf(ctx: HttpContext): Promise<MaterialFile | null> {
  const file = ctx.request.file('material', { size: MATERIAL_MAX })
  if (!file || !file.tmpPath) return null
  if (!file.isValid)
    throw new DomainRefusal('material_invalid', 'assessments.refusals.material_invalid')
  return {
    fileName: file.clientName,
    contentType: `${file.type ?? 'application'}/${file.subtype ?? 'octet-stream'}`,
    content: await readFile(file.tmpPath),
  }
}

/** C 7.3.1 training sessions, attendance and each person's history; the coverage flags. */
@inject()
export default class TrainingController {
  constructor(protected training: Training) {}

  protected async clinicsFor(user: User) {
    const q = db
      .from('institutions')
      .where('kind', 'member_clinic')
      .where('active', true)
      .orderBy('name')
      .select('id', 'name')
    if (!seesAllClinics(user)) q.where('id', user.institutionId)
    return q
  }

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.training.list',
      allow: mayViewAssessments,
      input: trainingFilterValidator,
      run: async ({ user, input }) => {
        const institutionId = seesAllClinics(user) ? input.institutionId : user.institutionId
        return {
          sessions: await this.training.sessions({ institutionId }),
          coverage: await this.training.coverage({
            institutionId,
            onlyFlagged: input.flagged ?? true,
          }),
          clinics: await this.clinicsFor(user),
          roster: seesAllClinics(user)
            ? await db
                .from('staff_members')
                .where('active', true)
                .orderBy('institution_id')
                .orderBy('full_name')
                .select('id', 'full_name', 'institution_id')
            : [],
          input,
        }
      },
      json: ({ sessions, coverage }) => ({ data: { sessions, coverage } }),
      page: (result, { user }) =>
        ctx.view.render('pages/assessments/training', {
          ...result,
          manage: seesAllClinics(user),
          p: presenter(ctx.i18n),
        }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.training.plan',
      allow: mayManageAssessments,
      input: async (c: HttpContext) => ({
        ...(await trainingSessionValidator.validate(c.request.all(), {
          messagesProvider: c.i18n?.createMessagesProvider(),
        })),
        material: await materialOf(c),
      }),
      run: ({ user, input }) =>
        this.training.plan(
          user,
          {
            topic: input.topic,
            heldOn: input.heldOn,
            trainer: input.trainer,
            modality: input.modality ?? null,
            institutionId: input.institutionId,
            attendeeIds: input.attendeeIds ?? [],
          },
          input.material ? [input.material] : []
        ),
      audit: {
        target: (id) => ({ type: 'training_session', id }),
        details: (_, { input }) => ({
          institutionId: input.institutionId,
          attendees: (input.attendeeIds ?? []).length,
        }),
      },
      json: async (id) => ({ data: await this.training.session(id) }),
      page: (id) => done(ctx, 'assessments.training.saved', {}, `/assessments/training/${id}`),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.training.view',
      allow: mayViewAssessments,
      target: trainingSessionTarget,
      run: async ({ target }) => ({
        session: await this.training.session(target.id),
        roster: await db
          .from('staff_members')
          .where('institution_id', target.institution_id)
          .where('active', true)
          .orderBy('full_name')
          .select('id', 'full_name', 'staff_no'),
      }),
      json: ({ session }) => ({ data: session }),
      page: (result, { user }) =>
        ctx.view.render('pages/assessments/training_session', {
          ...result,
          manage: seesAllClinics(user),
          p: presenter(ctx.i18n),
        }),
    })
  }

  attendance(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.training.attendance',
      allow: mayManageAssessments,
      target: trainingSessionTarget,
      input: attendanceValidator,
      run: ({ target, input }) => this.training.setAttendance(target.id, input.attendeeIds ?? []),
      audit: { details: (count) => ({ attendees: count }) },
      json: async (_, { target }) => ({ data: await this.training.session(target.id) }),
      page: (_, { target }) =>
        done(
          ctx,
          'assessments.training.attendance_saved',
          {},
          `/assessments/training/${target.id}`
        ),
    })
  }

  signOff(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.training.sign_off',
      allow: mayManageAssessments,
      target: trainingSessionTarget,
      run: ({ user, target }) => this.training.signOff(user, target.id),
      json: async (_, { target }) => ({ data: await this.training.session(target.id) }),
      page: (_, { target }) =>
        done(ctx, 'assessments.training.signed_done', {}, `/assessments/training/${target.id}`),
    })
  }

  addMaterial(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.training.material',
      allow: mayManageAssessments,
      target: trainingSessionTarget,
      input: async (c: HttpContext) => {
        const material = await materialOf(c)
        if (!material)
          throw new DomainRefusal('material_missing', 'assessments.refusals.material_missing')
        return material
      },
      run: ({ user, target, input }) => this.training.addMaterial(user, target.id, input),
      audit: {
        details: (_, { input }) => ({ fileName: input.fileName, size: input.content.length }),
      },
      json: async (_, { target }) => ({ data: await this.training.session(target.id) }),
      page: (_, { target }) =>
        done(ctx, 'assessments.training.material_added', {}, `/assessments/training/${target.id}`),
    })
  }

  material(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.training.material_open',
      allow: mayViewAssessments,
      target: trainingSessionTarget,
      run: async ({ target }) => {
        const file = await this.training.material(target.id, Number(ctx.params.materialId))
        if (!file) throw DomainRefusal.notFound('training_material')
        return file
      },
      page: (file) => {
        ctx.response.header('Content-Type', file.content_type)
        ctx.response.header(
          'Content-Disposition',
          `attachment; filename*=UTF-8''${encodeURIComponent(file.file_name)}`
        )
        return ctx.response.send(file.content)
      },
      json: (file) => {
        ctx.response.header('Content-Type', file.content_type)
        return ctx.response.send(file.content)
      },
    })
  }

  person(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'assessments.person.view',
      allow: mayViewAssessments,
      target: staffMemberTarget,
      run: async ({ target }) => (await this.training.history(target.id))!,
      json: (history) => ({ data: history }),
      page: (history) =>
        ctx.view.render('pages/assessments/person', { history, p: presenter(ctx.i18n) }),
    })
  }
}

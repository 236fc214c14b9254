import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import ClinicPatient from '#models/clinic_patient'
import ExamItem from '#models/exam_item'
import ExamStudy from '#models/exam_study'
import Institution from '#models/institution'
import type Exam from '#models/exam'
import { PRIORITIES, EXAM_STATUSES } from '#models/exam'
import { examFilterValidator, examRequestValidator } from '#app/intake/validators/intake_validators'
import { ExamRegistration } from '#app/intake/services/exam_registration'
import { ExamDirectory, examJson } from '#app/intake/services/exam_directory'
import { mayListExams, mayRegister } from '#app/intake/intake_access'
import { examTarget } from '#app/access/exam_access'
import { normaliseModality } from '#app/catalogue/catalogue_normaliser'
import { useCase, done } from '#app/platform/http/use_case'
import imaging from '#config/imaging'
import { examArrival } from './image_uploads_controller.js'
import { reminderFormState } from '#app/recognition/reminder_form'
import { clinicTechnologists } from '#app/intake/services/exam_technologist'

const newExamValidator = vine.compile(
  vine.object({ patient: vine.number().positive().withoutDecimals().optional() })
)
const itemsValidator = vine.compile(
  vine.object({ modality: vine.string().trim().maxLength(8).optional() })
)

/** Exam requests: the list a person may see, registering one, opening one (pages and /api/v1). */
@inject()
export default class ExamsController {
  constructor(
    protected registration: ExamRegistration,
    protected directory: ExamDirectory
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.search',
      allow: mayListExams,
      input: examFilterValidator,
      run: ({ user, input }) =>
        this.directory.list(user, input, ctx.request.url().startsWith('/api/') ? 50 : 25),
      json: (page) => ({ data: page.all().map((exam) => examJson(exam)), meta: page.getMeta() }),
      page: async (exams, { user, input }) => {
        exams.baseUrl('/exams').queryString({ ...input, page: undefined })
        const institutions =
          user.role === 'clinic_staff'
            ? []
            : await Institution.query().where('kind', 'member_clinic').orderBy('code')
        return ctx.view.render('pages/intake/exams/index', {
          exams,
          filters: input,
          institutions,
          statuses: EXAM_STATUSES,
          priorities: PRIORITIES,
        })
      },
    })
  }

  /** The catalogue items a clinic may request (R 7.2 names), for integrations. */
  items(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.items',
      audit: false,
      input: itemsValidator,
      run: ({ input }) =>
        ExamItem.query()
          .where('active', true)
          .if(input.modality, (q) =>
            q.where('modality', normaliseModality(input.modality!) ?? input.modality!.toUpperCase())
          )
          .orderBy('modality')
          .orderBy('catalogue')
          .orderBy('seq'),
      json: (items) => ({
        data: items.map((item) => ({
          id: item.id,
          catalogue: item.catalogue,
          seq: item.seq,
          modality: item.modality,
          bodyPart: item.bodyPart,
          method: item.method,
          position: item.position,
          name: item.name,
          sourceName: item.sourceName,
          isContrast: item.isContrast,
        })),
      }),
    })
  }

  create(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.new',
      allow: mayRegister,
      audit: false,
      input: newExamValidator,
      run: async ({ user, input }) => {
        // Back from a refused form the patient is also in the flashed input (the form's own field).
        const patientId =
          input.patient ?? Number(ctx.session.flashMessages.get('clinicPatientId')) ?? null
        const clinicPatient = patientId
          ? await ClinicPatient.query()
              .where('id', patientId)
              .where('institution_id', user.institutionId)
              .preload('patient')
              .first()
          : null
        const items = await ExamItem.query()
          .where('active', true)
          .orderBy('modality')
          .orderBy('catalogue')
          .orderBy('seq')
        // back from a request with unanswered repeat-exam reminders (R 6.6): they are shown in the form
        return {
          clinicPatient,
          items,
          recognition: await reminderFormState(ctx, user, clinicPatient?.id ?? null),
        }
      },
      page: (state) =>
        ctx.view.render('pages/intake/exams/new', { ...state, priorities: PRIORITIES }),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.register',
      allow: mayRegister,
      input: examRequestValidator,
      run: ({ user, input }) =>
        this.registration.registerRequest(user, { ...input, itemIds: input.itemIds ?? [] }),
      audit: {
        each: ({ exams, decisionIds }, { input }) => [
          ...exams.map((exam) => ({
            type: 'exam',
            id: exam.id,
            details: { accession: exam.accessionNumber },
          })),
          ...decisionIds.map((id) => ({
            type: 'recognition_decision',
            id,
            details: { clinicPatientId: input.clinicPatientId },
          })),
        ],
      },
      json: async ({ exams, decisionIds }) => {
        for (const exam of exams)
          await exam.load((l) => l.load('items').load('institution').load('patient'))
        // every item accepted from an earlier result (R 6.6): no exam was made, the decisions were recorded
        return ctx.response
          .status(exams.length ? 201 : 200)
          .send({ data: exams.map((exam) => examJson(exam)), recognitionDecisionIds: decisionIds })
      },
      page: ({ exams }, { input }) =>
        exams.length
          ? done(
              ctx,
              'intake.exam.registered',
              { accessions: exams.map((e) => e.accessionNumber).join(', ') },
              `/exams/${exams[0].id}`
            )
          : done(
              ctx,
              'recognition.reminder.accepted_no_exam',
              {},
              `/patients/${input.clinicPatientId}`
            ),
    })
  }

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'exam.view',
      target: examTarget,
      run: async ({ target: exam }) => {
        await exam.load((loader) =>
          loader.load('patient').load('institution').load('items').load('registeredBy')
        )
        const clinicPatient = await ClinicPatient.query()
          .where('patient_id', exam.patientId)
          .where('institution_id', exam.institutionId)
          .first()
        return { exam, clinicPatient }
      },
      json: ({ exam, clinicPatient }) => ({ data: examJson(exam, clinicPatient?.clinicPatientNo) }),
      page: async ({ exam, clinicPatient }) =>
        ctx.view.render('pages/intake/exams/show', {
          exam,
          clinicPatient,
          // the arrival line, time and date warnings, as an upload's answer refreshes them
          arrival: await examArrival(exam, ctx),
          studies: await ExamStudy.query().where('exam_id', exam.id).orderBy('first_received_at'),
          canUpload: await ctx.bouncer.with('ExamPolicy').allows('upload', exam as Exam),
          maxFileMb: Math.round(imaging.upload.maxFileBytes / 1024 / 1024),
          // the clinic's roster, to say who acquired the images (else DICOM Operators' Name)
          technologists: await clinicTechnologists(exam.institutionId),
        }),
    })
  }
}

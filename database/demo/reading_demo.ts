/*
| The demo county's reading: each exam read as its timeline says (timeline.ts)
| with its own case's report (cases.ts): the older exams signed (a junior
| writes, an intermediate or senior doctor signs), a few amended, some in
| review, some being written (one returned with a comment), the newest waiting
| in the queue. Written through the same SignOff service the app uses, with a
| ManualClock so that every time is in order and in the past.
*/
import { outsideRandomQc } from './quality_demo.js'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import Exam from '#models/exam'
import User from '#models/user'
import { ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { SignOff } from '#app/reading/services/sign_off'
import { ReportContext, examName, workingVersion } from '#app/reading/services/report_context'
import { loadStarterSet } from '#app/reading/services/templates'
import type { PlannedExam } from './timeline.js'

export interface ReadingEntry {
  exam: Exam
  planned: PlannedExam
}

/** Who read each exam and when: the critical values are raised inside that time. */
export interface ReadExam extends ReadingEntry {
  reader: User | null
  claimedAt: DateTime | null
  submittedAt: DateTime | null
}

export class ReadingDemo {
  constructor(protected log: (message: string) => void = () => {}) {}

  async seed(entries: ReadingEntry[], now: DateTime): Promise<ReadExam[]> {
    const orthanc = await app.container.make(OrthancClient)
    const clock = new ManualClock(now)
    const context = new ReportContext(orthanc)
    const signOff = new SignOff(clock, context)
    const [junior, mid, senior] = await Promise.all(
      ['rad.junior', 'rad.mid', 'rad.senior'].map((u) => User.findByOrFail('username', u))
    )
    await loadStarterSet(senior.id)

    const counts = {
      signed: 0,
      amended: 0,
      pendingReview: 0,
      inProgress: 0,
      returned: 0,
      waiting: 0,
    }
    const read: ReadExam[] = []
    // Never later than a minute ago: a demo seeded now has no report from the future.
    const latest = now.minus({ minutes: 1 })
    const at = (t: DateTime) => (t > latest ? latest : t)
    const ordered = entries
      .filter((e) => e.planned.arrivesAfter !== null)
      .sort(
        (a, b) =>
          a.planned.registeredAt.plus({ minutes: a.planned.arrivesAfter! }).toMillis() -
          b.planned.registeredAt.plus({ minutes: b.planned.arrivesAfter! }).toMillis()
      )
    for (const [i, entry] of ordered.entries()) {
      const { planned } = entry
      const exam = await Exam.query().where('id', entry.exam.id).preload('items').firstOrFail()
      const received = exam.imagesReceivedAt!
      const stage = planned.stage
      if (stage === 'waiting' || stage === 'no_images') {
        counts.waiting++
        read.push({ ...entry, exam, reader: null, claimedAt: null, submittedAt: null })
        continue
      }
      const emergency = planned.priority === 'emergency'
      // The author: the junior mostly, an intermediate doctor now and then (who then has a senior sign).
      const author = i % 6 === 5 ? mid : junior
      const reviewer = author === mid ? senior : i % 2 === 0 ? mid : senior
      const claimedAt = at(received.plus({ minutes: emergency ? 3 + (i % 3) : 10 + (i % 7) * 6 }))
      clock.set(claimedAt)
      await signOff.claim(author, exam)
      const content = { ...planned.case.report, ...(await this.comparison(context, exam, planned)) }
      const technique =
        content.technique || exam.items.map((item) => `DR ${item.sourceName}`).join('；')
      const written = { ...content, technique }
      const revision = async () => (await workingVersion(exam.id))!.revision
      const submitAt = at(claimedAt.plus({ minutes: emergency ? 10 + (i % 4) : 18 + (i % 5) * 6 }))
      if (stage === 'in_progress' || stage === 'returned') {
        clock.set(at(claimedAt.plus({ minutes: 4 })))
        await signOff.saveDraft(author, exam, written, await revision())
        counts.inProgress++
        if (stage === 'returned') {
          // Returned by the senior with a comment, and waiting for its author.
          clock.set(submitAt)
          await signOff.submit(author, exam, written, await revision())
          clock.set(at(submitAt.plus({ minutes: 15 })))
          await signOff.returnToAuthor(
            senior,
            exam,
            '诊断结论请与影像描述顺序一致，并补充建议。',
            await revision(),
            null
          )
          counts.returned++
        }
        read.push({ ...entry, exam, reader: author, claimedAt, submittedAt: null })
        continue
      }
      clock.set(submitAt)
      // A report the demo signs is decided outside the random QC sample before the submission draws it.
      if (stage !== 'pending_review') await outsideRandomQc(exam.id, clock.now())
      await signOff.submit(author, exam, written, await revision())
      read.push({ ...entry, exam, reader: author, claimedAt, submittedAt: submitAt })
      if (stage === 'pending_review') {
        counts.pendingReview++
        continue
      }
      clock.set(at(submitAt.plus({ minutes: emergency ? 6 : 12 + (i % 4) * 7 })))
      // Now and then the reviewer sharpens the impression before signing (and so signs as its last modifier, B).
      const edited =
        i % 5 === 0
          ? { ...written, impression: written.impression.replace(/。?$/, '。请结合临床。') }
          : null
      await signOff.sign(reviewer, exam, edited, await revision())
      counts.signed++

      if (stage === 'amended') {
        clock.advance({ hours: 2 })
        const amendment = await signOff.amend(
          senior,
          exam,
          '复阅时发现诊断结论表述需补充，经科室讨论修订。'
        )
        const amendedContent = {
          ...written,
          impression: `${written.impression}\n补充：建议 1 个月后复查对比。`,
        }
        clock.advance({ minutes: 20 })
        await signOff.submit(senior, exam, amendedContent, amendment.revision)
        clock.advance({ minutes: 10 })
        await signOff.sign(mid, exam, null, await revision())
        counts.amended++
      }
    }
    this.log(
      `reading: ${counts.signed} reports signed (${counts.amended} amended), ${counts.pendingReview} awaiting review, ` +
        `${counts.inProgress} being written (${counts.returned} returned), ${counts.waiting} waiting in the queue`
    )
    return read
  }

  /** B: when the patient had a comparable exam before, the report compares with it and names its date. */
  protected async comparison(context: ReportContext, exam: Exam, planned: PlannedExam) {
    const priors = (await context.priors(exam)).filter((p) => p.comparable)
    if (!priors.length) return {}
    const prior = priors[0]
    const date = prior.examDate.toFormat('yyyy-MM-dd')
    const change = planned.case.followUpOf ? '原病灶基本吸收' : '未见明显变化'
    return {
      priorExamId: prior.exam.id,
      comparison: `与 ${date} ${examName(prior.exam)} 比较，${change}。`,
    }
  }
}

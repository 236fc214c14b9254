import { inject } from '@adonisjs/core'
import type Exam from '#models/exam'
import ExamStudy from '#models/exam_study'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { heldSeriesIds } from '#app/intake/services/dicom_arrivals'

export interface SeriesView {
  id: string
  studyId: string
  number: number | null
  modality: string | null
  description: string | null
  instances: string[]
}

/** Instances already proven to belong to an exam, so scrolling a series asks Orthanc once per image. */
const membership = new Map<string, true>()
const MEMBERSHIP_LIMIT = 50_000

/** The images of an exam as the viewer needs them, read from Orthanc. */
@inject()
export class ExamImages {
  constructor(protected orthanc: OrthancClient) {}

  async studyIds(exam: Exam) {
    const studies = await ExamStudy.query().where('exam_id', exam.id).select('orthanc_study_id')
    return studies.map((s) => s.orthancStudyId)
  }

  async series(exam: Exam): Promise<SeriesView[]> {
    const views: SeriesView[] = []
    const studyIds = await this.studyIds(exam)
    // Series another clinic sent into this study are held apart: not this exam's images.
    const held = await heldSeriesIds(studyIds)
    for (const studyId of studyIds) {
      let seriesList
      try {
        seriesList = await this.orthanc.studySeries(studyId)
      } catch (error: any) {
        // Claimed but not (yet) in Orthanc: nothing to show for it; the reconciliation removes empty claims.
        if (error?.isNotFound) continue
        throw error
      }
      for (const series of seriesList) {
        if (held.has(series.ID)) continue
        const instances = await this.orthanc.seriesInstances(series.ID)
        instances.sort(
          (a, b) =>
            Number(a.MainDicomTags.InstanceNumber ?? 0) -
            Number(b.MainDicomTags.InstanceNumber ?? 0)
        )
        views.push({
          id: series.ID,
          studyId,
          number: series.MainDicomTags.SeriesNumber
            ? Number(series.MainDicomTags.SeriesNumber)
            : null,
          modality: series.MainDicomTags.Modality ?? null,
          description: series.MainDicomTags.SeriesDescription ?? null,
          instances: instances.map((i) => i.ID),
        })
      }
    }
    return views.sort((a, b) => (a.number ?? 0) - (b.number ?? 0))
  }

  /** True only when the Orthanc instance is part of one of this exam's studies. */
  async holdsInstance(exam: Exam, instanceId: string) {
    if (!/^[0-9a-f-]{44}$/.test(instanceId)) return false
    const key = `${exam.id}:${instanceId}`
    if (membership.has(key)) return true
    let seriesId: string
    let studyId: string
    try {
      seriesId = (await this.orthanc.instance(instanceId)).ParentSeries
      studyId = await this.orthanc.studyOfSeries(seriesId)
    } catch (error: any) {
      if (error?.isNotFound) return false
      throw error
    }
    const studies = await this.studyIds(exam)
    const owned = studies.includes(studyId) && !(await heldSeriesIds([studyId])).has(seriesId)
    if (owned) {
      if (membership.size >= MEMBERSHIP_LIMIT) membership.clear()
      membership.set(key, true)
    }
    return owned
  }
}

/** Window presets for CT (C 4.2.2 / reading): centre and width in HU. */
export const CT_WINDOWS = {
  brain: { center: 40, width: 80 },
  lung: { center: -600, width: 1500 },
  mediastinum: { center: 50, width: 350 },
  bone: { center: 400, width: 1800 },
  abdomen: { center: 60, width: 400 },
} as const
export type WindowPreset = keyof typeof CT_WINDOWS

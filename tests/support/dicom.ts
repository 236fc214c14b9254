import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type Exam from '#models/exam'
import type ClinicPatient from '#models/clinic_patient'
import {
  syntheticStudy,
  syntheticInstance,
  newUid,
  type StudySpec,
} from '#database/demo/synthetic_dicom'
import imaging from '#config/imaging'

export { syntheticStudy, syntheticInstance, newUid }

const run = promisify(execFile)

/** A study whose tags match an exam (accession and the clinic's patient number). */
export function studyFor(
  exam: Exam,
  clinicPatient: ClinicPatient,
  series = 1,
  perSeries = 3,
  extra: Partial<StudySpec> = {}
) {
  return syntheticStudy(
    {
      modality: exam.modality as any,
      patientName: 'Zhang^San',
      patientId: clinicPatient.clinicPatientNo,
      accessionNumber: exam.accessionNumber,
      // A modality writes its local date: the hospital's day, which differs from UTC's from 16:00 UTC on.
      studyDate: exam.registeredAt.setZone(imaging.displayTimezone).toFormat('yyyyMMdd'),
      ...extra,
    },
    series,
    perSeries
  )
}

/** Writes files into a fresh folder (as a clinic's DICOM export would be). */
export async function writeFolder(files: Array<{ name: string; data: Buffer }>) {
  const dir = await mkdtemp(join(tmpdir(), 'dicom-'))
  for (const file of files) {
    const path = join(dir, file.name)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, file.data)
  }
  return {
    dir,
    paths: files.map((f) => join(dir, f.name)),
    remove: () => rm(dir, { recursive: true, force: true }),
  }
}

/** Sends files to the test Orthanc by DICOM C-STORE, as a clinic modality with this AE title would. */
export async function cStore(
  callingAet: string,
  paths: string[],
  options: string[] = [],
  port = imaging.orthanc.dicomPort
) {
  return run('storescu', [
    ...options,
    '-aet',
    callingAet,
    '-aec',
    imaging.orthanc.aet,
    '127.0.0.1',
    String(port),
    ...paths,
  ])
}

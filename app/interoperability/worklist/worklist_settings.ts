import env from '#start/env'

/** Where the modality worklist SCP listens, as the clinics' devices are configured to call it. */
export function worklistSettings() {
  const orthancPort = env.get('ORTHANC_DICOM_PORT', 4242)
  return {
    port: env.get('WORKLIST_DICOM_PORT', orthancPort + 1),
    aet: env.get('WORKLIST_AET') || 'IMAGING_MWL',
  }
}

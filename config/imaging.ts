import env from '#start/env'

/** C 8.3.4 says 180 days; six calendar months (Cybersecurity Law) can be 184. Never less. */
export const MIN_AUDIT_RETENTION_DAYS = 184

/** The configured retention, refused at boot when below the legal minimum. */
export function checkAuditRetention(days: number) {
  if (!Number.isFinite(days) || days < MIN_AUDIT_RETENTION_DAYS) {
    throw new Error(
      `AUDIT_RETENTION_DAYS=${days} is below the legal minimum of ${MIN_AUDIT_RETENTION_DAYS} days (C 8.3.4, six months)`
    )
  }
  return days
}

const auditRetentionDays = checkAuditRetention(env.get('AUDIT_RETENTION_DAYS', 365))

const imagingConfig = {
  orthanc: {
    url: env.get('ORTHANC_URL'),
    username: env.get('ORTHANC_USERNAME'),
    password: env.get('ORTHANC_PASSWORD'),
    aet: env.get('ORTHANC_AET', 'IMAGING_CENTRE'),
    dicomPort: env.get('ORTHANC_DICOM_PORT', 4242),
    /** how often the /changes feed is read */
    pollSeconds: env.get('ORTHANC_POLL_SECONDS', 2),
  },
  upload: {
    maxFileBytes: env.get('UPLOAD_MAX_FILE_MB', 512) * 1024 * 1024,
  },
  audit: {
    retentionDays: auditRetentionDays,
  },
  /** Times are stored in UTC and shown in the hospital's zone. */
  displayTimezone: env.get('DISPLAY_TIMEZONE', 'Asia/Shanghai'),
  scheduler: {
    enabled: env.get('SCHEDULER_ENABLED', true),
  },
}

export default imagingConfig

import env from '#start/env'
import User from '#models/user'

export const baseUrl = () => `http://${env.get('HOST')}:${env.get('PORT')}`

/** A bearer token for /api/v1, as an integration would hold. */
export async function apiToken(user: User) {
  const token = await User.accessTokens.create(user, ['*'], { name: 'test' })
  return token.value!.release()
}

/** POSTs one DICOM file as a raw application/dicom body (what the browser uploader and integrations send). */
export async function postDicom(path: string, body: Buffer, token: string, fileName = 'image.dcm') {
  const response = await fetch(baseUrl() + path, {
    method: 'POST',
    headers: {
      'Authorization': `Bearer ${token}`,
      'Content-Type': 'application/dicom',
      'Accept': 'application/json',
      'X-File-Name': encodeURIComponent(fileName),
    },
    body,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

/** POSTs several DICOM files as one multipart/form-data batch (what the browser's uploader sends). */
export async function postDicomBatch(
  path: string,
  files: Array<{ name: string; data: Buffer }>,
  token: string
) {
  const form = new FormData()
  for (const file of files)
    form.append('files', new Blob([file.data], { type: 'application/dicom' }), file.name)
  const response = await fetch(baseUrl() + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    body: form,
  })
  return { status: response.status, body: (await response.json().catch(() => null)) as any }
}

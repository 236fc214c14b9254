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

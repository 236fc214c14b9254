import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { io as connect, type Socket } from 'socket.io-client'
import AuditEvent from '#models/audit_event'
import { rooms } from '#app/realtime/realtime'
import { ticketFor } from '#tests/support/sessions'
import * as make from '#tests/support/fixtures'
import { studyFor } from '#tests/support/dicom'
import { apiToken, baseUrl, postDicom } from '#tests/support/http'

function open(ticket: string) {
  return new Promise<Socket>((resolve, reject) => {
    const socket = connect(baseUrl(), {
      auth: { ticket },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    })
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

test.group('Live updates over socket.io', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a socket without a valid ticket is refused', async ({ assert }) => {
    await assert.rejects(() => open('forged'), /unauthorised/)
  })

  test('the clinic and the readers hear when images arrive; another clinic does not', async ({
    assert,
  }) => {
    const clinic = await make.user('clinic_staff')
    const stranger = await make.user('clinic_staff')
    const radiologist = await make.user('radiologist')
    const [own, other, reader] = await Promise.all([
      open(await ticketFor(clinic)),
      open(await ticketFor(stranger)),
      open(await ticketFor(radiologist)),
    ])
    try {
      const heard: Record<string, any[]> = { own: [], other: [], reader: [] }
      own.on('exam:changed', (e) => heard.own.push(e))
      other.on('exam:changed', (e) => heard.other.push(e))
      reader.on('exam:changed', (e) => heard.reader.push(e))
      const { exam, clinicPatient } = await make.exam(clinic, 'DR')
      await postDicom(
        `/api/v1/exams/${exam.accessionNumber}/images`,
        studyFor(exam, clinicPatient, 1, 1).files[0].data,
        await apiToken(clinic)
      )
      await new Promise((r) => setTimeout(r, 300))
      assert.deepInclude(heard.own, {
        id: exam.id,
        accessionNumber: exam.accessionNumber,
        status: 'images_received',
        change: 'images_received',
      })
      assert.lengthOf(heard.reader, 1)
      assert.lengthOf(heard.other, 0)
    } finally {
      own.close()
      other.close()
      reader.close()
    }
  })

  test("joining another institution's room is refused and audited", async ({ assert }) => {
    const clinic = await make.user('clinic_staff')
    const socket = await open(await ticketFor(clinic))
    try {
      const forged = await socket.emitWithAck(
        'join',
        rooms.institution(clinic.institutionId + 1000)
      )
      assert.deepEqual(forged, { ok: false })
      const own = await socket.emitWithAck('join', rooms.institution(clinic.institutionId))
      assert.deepEqual(own, { ok: true })
      const readers = await socket.emitWithAck('join', rooms.readers)
      assert.deepEqual(readers, { ok: false })
    } finally {
      socket.close()
    }
    const denied = await AuditEvent.query()
      .where('action', 'realtime.join')
      .where('outcome', 'denied')
      .where('actor_user_id', clinic.id)
    assert.lengthOf(denied, 2)
  })
})

import net from 'node:net'
import logger from '@adonisjs/core/services/logger'
import app from '@adonisjs/core/services/app'
import { audit } from '#app/platform/audit/audit_log'
import { WorklistService } from '#app/interoperability/worklist/worklist_service'
import {
  encodeElements,
  worklistIdentifier,
  WORKLIST_SOP_CLASS,
  type Element,
} from '#app/interoperability/worklist/dicom_writer'
import { readCommand, readDataset } from '#app/interoperability/worklist/dicom_reader'

/*
| The modality worklist SCP (DICOM PS3.4 K, PS3.7 DIMSE, PS3.8 upper layer):
| a small DICOM server inside the app, so that the worklist is read from the
| database at each C-FIND and every answer is encoded in the character set
| declared for the asking device. Why not Orthanc: on Orthanc 1.10 the
| worklist plugins (file-based or Python) hand their answers to Orthanc's core,
| which re-encodes every C-FIND answer into its one DefaultEncoding, so a
| per-device GB18030/UTF-8 setting cannot be honoured (docs/architecture.md).
|
| Only what a worklist needs: association (an undeclared AE, or a declared one
| from another host, is rejected there), C-ECHO, C-FIND on the Modality
| Worklist Information Model, release and abort.
*/

const VERIFICATION = '1.2.840.10008.1.1'
const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const IMPLEMENTATION_CLASS = '1.2.826.0.1.3680043.10.1016.1'
const IMPLEMENTATION_VERSION = 'IMAGING_MWL_1'
const OUR_MAX_PDU = 64 * 1024

const C_FIND_RQ = 0x0020
const C_ECHO_RQ = 0x0030
const C_CANCEL_RQ = 0x0fff
const STATUS_PENDING = 0xff00
const STATUS_SUCCESS = 0x0000
const STATUS_UNABLE_TO_PROCESS = 0xc001

interface PresentationContext {
  id: number
  abstractSyntax: string
  transferSyntax: string | null
}

function be16(n: number) {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n, 0)
  return b
}

function be32(n: number) {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n, 0)
  return b
}

function pdu(type: number, body: Buffer) {
  return Buffer.concat([Buffer.from([type, 0]), be32(body.length), body])
}

function item(type: number, body: Buffer) {
  return Buffer.concat([Buffer.from([type, 0]), be16(body.length), body])
}

function aeField(text: string) {
  return Buffer.from(text.padEnd(16, ' ').slice(0, 16), 'ascii')
}

function uidText(buffer: Buffer) {
  return buffer.toString('latin1').replace(/[\0 ]+$/, '')
}

/** A DIMSE command set: implicit VR little endian, group length first (PS3.7 E.1). */
function command(elements: Element[]) {
  const body = encodeElements(elements, 'ISO_IR 192', false)
  return Buffer.concat([
    encodeElements([{ tag: 0x00000000, vr: 'UL', value: body.length }], 'ISO_IR 192', false),
    body,
  ])
}

export interface WorklistScpOptions {
  port: number
  host?: string
  aet: string
}

export class WorklistScp {
  #server: net.Server | null = null
  #sockets = new Set<net.Socket>()

  constructor(protected options: WorklistScpOptions) {}

  get port() {
    const address = this.#server?.address()
    return address && typeof address === 'object' ? address.port : this.options.port
  }

  async start() {
    this.#server = net.createServer((socket) => this.#serve(socket))
    await new Promise<void>((resolve, reject) => {
      this.#server!.once('error', reject)
      this.#server!.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve())
    })
    logger.info({ port: this.port, aet: this.options.aet }, 'modality worklist SCP listening')
    return this
  }

  async stop() {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve()
    )
    this.#server = null
  }

  #serve(socket: net.Socket) {
    this.#sockets.add(socket)
    socket.setNoDelay(true)
    socket.setTimeout(30_000, () => socket.destroy())
    socket.on('close', () => this.#sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const association = new Association(socket, this.options.aet)
    let pending = Buffer.alloc(0)
    let chain = Promise.resolve()
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 6) {
        const length = pending.readUInt32BE(2)
        if (length > 16 * 1024 * 1024) return socket.destroy()
        if (pending.length < 6 + length) break
        const type = pending[0]
        const body = pending.subarray(6, 6 + length)
        pending = pending.subarray(6 + length)
        // PDUs of one association are handled in order.
        chain = chain
          .then(() => association.handle(type, body))
          .catch((error) => {
            logger.error({ err: error }, 'worklist SCP: association failed')
            association.abort()
          })
      }
    })
  }
}

class Association {
  callingAet = ''
  maxPdu = 16 * 1024
  contexts = new Map<number, PresentationContext>()
  command: Buffer[] = []
  data: Buffer[] = []
  request: ReturnType<typeof readCommand> | null = null
  contextId = 0

  constructor(
    protected socket: net.Socket,
    protected ourAet: string
  ) {}

  get remoteAddress() {
    return this.socket.remoteAddress ?? ''
  }

  abort() {
    if (!this.socket.destroyed) this.socket.end(pdu(0x07, Buffer.from([0, 0, 0, 0])))
  }

  async handle(type: number, body: Buffer) {
    if (type === 0x01) return this.associate(body)
    if (type === 0x04) return this.pData(body)
    if (type === 0x05) {
      this.socket.end(pdu(0x06, Buffer.alloc(4)))
      return
    }
    this.socket.destroy()
  }

  async associate(body: Buffer) {
    const calledAet = body.toString('ascii', 4, 20).trim()
    this.callingAet = body.toString('ascii', 20, 36).trim()
    const requested: Array<{ id: number; abstractSyntax: string; transferSyntaxes: string[] }> = []
    let offset = 68
    while (offset + 4 <= body.length) {
      const itemType = body[offset]
      const itemLength = body.readUInt16BE(offset + 2)
      const value = body.subarray(offset + 4, offset + 4 + itemLength)
      offset += 4 + itemLength
      if (itemType === 0x20) {
        const context = { id: value[0], abstractSyntax: '', transferSyntaxes: [] as string[] }
        let sub = 4
        while (sub + 4 <= value.length) {
          const subType = value[sub]
          const subLength = value.readUInt16BE(sub + 2)
          const text = uidText(value.subarray(sub + 4, sub + 4 + subLength))
          if (subType === 0x30) context.abstractSyntax = text
          if (subType === 0x40) context.transferSyntaxes.push(text)
          sub += 4 + subLength
        }
        requested.push(context)
      } else if (itemType === 0x50) {
        let sub = 0
        while (sub + 4 <= value.length) {
          const subLength = value.readUInt16BE(sub + 2)
          if (value[sub] === 0x51 && subLength === 4) {
            const max = value.readUInt32BE(sub + 4)
            this.maxPdu = max === 0 ? OUR_MAX_PDU : Math.min(max, OUR_MAX_PDU)
          }
          sub += 4 + subLength
        }
      }
    }

    const service = await app.container.make(WorklistService)
    const sender = await service.declaredDevice(this.callingAet, this.remoteAddress)
    if (!sender) {
      // PS3.8 9.3.4: rejected-permanent (1), by the service user (1), calling AE title not recognised (3).
      await audit.bestEffort(
        { username: `dicom:${this.callingAet}`.slice(0, 64), ip: this.remoteAddress },
        {
          action: 'worklist.association',
          outcome: 'denied',
          targetType: 'dicom_ae',
          targetId: this.callingAet || null,
          details: { code: 'undeclared_ae', via: 'dicom', calledAet },
        }
      )
      this.socket.end(pdu(0x03, Buffer.from([0, 1, 1, 3])))
      return
    }

    const contextItems: Buffer[] = []
    for (const context of requested) {
      const supported =
        context.abstractSyntax === WORKLIST_SOP_CLASS || context.abstractSyntax === VERIFICATION
      const transferSyntax = context.transferSyntaxes.includes(EXPLICIT_LE)
        ? EXPLICIT_LE
        : context.transferSyntaxes.includes(IMPLICIT_LE)
          ? IMPLICIT_LE
          : null
      const result = !supported ? 3 : transferSyntax ? 0 : 4
      if (result === 0)
        this.contexts.set(context.id, {
          id: context.id,
          abstractSyntax: context.abstractSyntax,
          transferSyntax,
        })
      contextItems.push(
        item(
          0x21,
          Buffer.concat([
            Buffer.from([context.id, 0, result, 0]),
            item(0x40, Buffer.from(transferSyntax ?? IMPLICIT_LE, 'ascii')),
          ])
        )
      )
    }
    const userInfo = item(
      0x50,
      Buffer.concat([
        item(0x51, be32(OUR_MAX_PDU)),
        item(0x52, Buffer.from(IMPLEMENTATION_CLASS, 'ascii')),
        item(0x55, Buffer.from(IMPLEMENTATION_VERSION, 'ascii')),
      ])
    )
    const accept = Buffer.concat([
      be16(1),
      Buffer.alloc(2),
      aeField(calledAet || this.ourAet),
      aeField(this.callingAet),
      Buffer.alloc(32),
      item(0x10, Buffer.from(APPLICATION_CONTEXT, 'ascii')),
      ...contextItems,
      userInfo,
    ])
    this.socket.write(pdu(0x02, accept))
  }

  async pData(body: Buffer) {
    let offset = 0
    while (offset + 6 <= body.length) {
      const length = body.readUInt32BE(offset)
      const contextId = body[offset + 4]
      const header = body[offset + 5]
      const fragment = body.subarray(offset + 6, offset + 4 + length)
      offset += 4 + length
      this.contextId = contextId
      if (header & 0x01) {
        this.command.push(fragment)
        if (header & 0x02) {
          this.request = readCommand(Buffer.concat(this.command))
          this.command = []
          if (this.request.dataSetType === 0x0101) await this.dispatch(null)
        }
      } else {
        this.data.push(fragment)
        if (header & 0x02) {
          const dataset = Buffer.concat(this.data)
          this.data = []
          await this.dispatch(dataset)
        }
      }
    }
  }

  async dispatch(dataset: Buffer | null) {
    const request = this.request
    const context = this.contexts.get(this.contextId)
    if (!request || !context) return this.abort()
    if (request.commandField === C_CANCEL_RQ) return
    if (request.commandField === C_ECHO_RQ) {
      return this.send(
        context,
        [
          ...this.responseFields(
            0x8030,
            VERIFICATION,
            request.messageId ?? 0,
            STATUS_SUCCESS,
            false
          ),
        ],
        null
      )
    }
    if (
      request.commandField !== C_FIND_RQ ||
      context.abstractSyntax !== WORKLIST_SOP_CLASS ||
      !dataset
    )
      return this.abort()
    const explicit = context.transferSyntax === EXPLICIT_LE
    const messageId = request.messageId ?? 0
    const service = await app.container.make(WorklistService)
    let status = STATUS_SUCCESS
    try {
      const answer = await service.answer({
        callingAet: this.callingAet,
        query: readDataset(dataset, explicit),
      })
      // The pending responses leave in as few TCP segments as the socket allows.
      this.socket.cork()
      // Every pending response carries the same command (PS3.7 9.3.2.2): encoded once per C-FIND.
      const pending = command(
        this.responseFields(0x8020, WORKLIST_SOP_CLASS, messageId, STATUS_PENDING, true)
      )
      for (const identifier of answer.items) {
        this.send(context, pending, worklistIdentifier(identifier, answer.charset, explicit))
      }
      process.nextTick(() => this.socket.uncork())
      await audit.record(
        { username: `dicom:${this.callingAet}`.slice(0, 64), ip: this.remoteAddress },
        {
          action: 'worklist.query',
          targetType: 'dicom_sender',
          targetId: answer.sender.id,
          details: {
            via: 'dicom',
            ae: this.callingAet,
            answers: answer.items.length,
            incomplete: answer.incomplete,
          },
        }
      )
    } catch (error) {
      logger.error({ err: error, aet: this.callingAet }, 'worklist C-FIND failed')
      status = STATUS_UNABLE_TO_PROCESS
    }
    // The final response carries no identifier (PS3.4 K.4.1.3.1).
    this.send(
      context,
      this.responseFields(0x8020, WORKLIST_SOP_CLASS, messageId, status, false),
      null
    )
  }

  responseFields(
    commandField: number,
    sopClass: string,
    messageId: number,
    status: number,
    withData: boolean
  ): Element[] {
    return [
      { tag: 0x00000002, vr: 'UI', value: sopClass },
      { tag: 0x00000100, vr: 'US', value: commandField },
      { tag: 0x00000120, vr: 'US', value: messageId },
      { tag: 0x00000800, vr: 'US', value: withData ? 0x0000 : 0x0101 },
      { tag: 0x00000900, vr: 'US', value: status },
    ]
  }

  /** One DIMSE message as P-DATA-TF PDUs: the command, then the identifier in fragments that fit the peer's PDU size. */
  send(context: PresentationContext, fields: Element[] | Buffer, identifier: Buffer | null) {
    const pdv = (data: Buffer, header: number) =>
      Buffer.concat([be32(data.length + 2), Buffer.from([context.id, header]), data])
    this.socket.write(pdu(0x04, pdv(Buffer.isBuffer(fields) ? fields : command(fields), 0x03)))
    if (!identifier) return
    const room = Math.max(this.maxPdu - 6, 1024)
    for (let start = 0; start < identifier.length; start += room) {
      const last = start + room >= identifier.length
      this.socket.write(
        pdu(0x04, pdv(identifier.subarray(start, start + room), last ? 0x02 : 0x00))
      )
    }
  }
}

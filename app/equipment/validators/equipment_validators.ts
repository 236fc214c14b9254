import vine from '@vinejs/vine'
import { EQUIPMENT_KINDS, EQUIPMENT_STATUSES } from '#models/equipment'

export const equipmentValidator = vine.compile(
  vine.object({
    institutionId: vine.number().positive().withoutDecimals(),
    kind: vine.enum(EQUIPMENT_KINDS),
    assetNo: vine
      .string()
      .trim()
      .minLength(1)
      .maxLength(32)
      .regex(/^[A-Za-z0-9._/-]+$/),
    model: vine.string().trim().maxLength(128).optional(),
    manufacturer: vine.string().trim().maxLength(128).optional(),
    contrastCapable: vine.boolean().optional(),
    status: vine.enum(EQUIPMENT_STATUSES),
    installedOn: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    lastQcOn: vine.date({ formats: ['YYYY-MM-DD'] }).optional(),
    notes: vine.string().trim().maxLength(255).optional(),
  })
)

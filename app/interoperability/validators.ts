import vine from '@vinejs/vine'

export const pushSettingsValidator = vine.compile(
  vine.object({
    endpointUrl: vine
      .string()
      .trim()
      .maxLength(500)
      .url({ require_tld: false, protocols: ['http', 'https'] }),
    username: vine.string().trim().maxLength(128).optional(),
    secret: vine.string().maxLength(500).optional(),
    active: vine.boolean().optional(),
  })
)

import vine from '@vinejs/vine'

export const loginValidator = vine.compile(
  vine.object({
    username: vine.string().trim().minLength(1).maxLength(64),
    password: vine.string().minLength(1).maxLength(128),
  })
)

export const tokenValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(64),
    expiresInDays: vine.number().min(1).max(365).optional(),
  })
)

/** C 8.5: passwords of at least 8 characters mixing letters and digits. */
export const passwordRule = vine
  .string()
  .minLength(8)
  .maxLength(128)
  .regex(/^(?=.*[A-Za-z])(?=.*\d).+$/)

export const changePasswordValidator = vine.compile(
  vine.object({
    currentPassword: vine.string().minLength(1),
    newPassword: passwordRule.clone().confirmed({ confirmationField: 'newPasswordConfirmation' }),
  })
)

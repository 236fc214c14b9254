import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { PRIORITIES } from '#models/exam'
import { MODALITIES } from '#models/exam_item'
import { Clock } from '#app/platform/clock'
import { currentLimits, setLimits, STANDARD_LIMITS, MAX_LIMIT_MINUTES } from '#app/reading/services/turnaround'
import { setSingleSignature, singleSignatureAllowed } from '#app/reading/services/reading_settings'
import { settingsValidator } from '#app/reading/validators/reading_validators'
import { audited, authorizeReading } from '#app/reading/controllers/reading_access'

/**
 * Turnaround limits per priority and modality (R 7.1.1) and the single-signature
 * switch. The audit log keeps every change with its old and new value.
 */
@inject()
export default class ReadingSettingsController {
  constructor(protected clock: Clock) {}

  async show(ctx: HttpContext) {
    await authorizeReading(ctx, 'configure')
    return ctx.view.render('pages/reading/settings', {
      limits: await currentLimits(),
      standard: STANDARD_LIMITS,
      singleSignature: await singleSignatureAllowed(),
      priorities: PRIORITIES,
      modalities: MODALITIES,
      maxMinutes: MAX_LIMIT_MINUTES,
    })
  }

  async update(ctx: HttpContext) {
    await authorizeReading(ctx, 'configure')
    const data = await ctx.request.validateUsing(settingsValidator)
    const user = ctx.auth.user!
    await audited(
      ctx,
      { action: 'reading.settings', targetType: 'reading_settings' },
      async () => {
        const changes = await setLimits(user.id, data.limits ?? {}, this.clock.now())
        const policy = await setSingleSignature(Boolean(data.singleSignature), user.id, this.clock.now())
        return { changes, policy }
      },
      (result) => ({ limits: result.changes, singleSignature: result.policy })
    )
    ctx.session.flash('success', ctx.i18n.t('common.saved'))
    return ctx.response.redirect('/admin/reading')
  }
}

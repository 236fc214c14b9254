import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { PRIORITIES } from '#models/exam'
import { MODALITIES } from '#models/exam_item'
import { Clock } from '#app/platform/clock'
import {
  currentLimits,
  setLimits,
  STANDARD_LIMITS,
  MAX_LIMIT_MINUTES,
} from '#app/reading/services/turnaround'
import { setSingleSignature, singleSignatureAllowed } from '#app/reading/services/reading_settings'
import { settingsValidator } from '#app/reading/validators/reading_validators'
import { mayConfigureReading } from '#app/reading/reading_access'
import { useCase, done } from '#app/platform/http/use_case'

/**
 * Turnaround limits per priority and modality (R 7.1.1) and the single-signature
 * switch. The audit log keeps every change with its old and new value.
 */
@inject()
export default class ReadingSettingsController {
  constructor(protected clock: Clock) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.settings.view',
      allow: mayConfigureReading,
      run: async () => ({
        limits: await currentLimits(),
        singleSignature: await singleSignatureAllowed(),
      }),
      page: (state) =>
        ctx.view.render('pages/reading/settings', {
          ...state,
          standard: STANDARD_LIMITS,
          priorities: PRIORITIES,
          modalities: MODALITIES,
          maxMinutes: MAX_LIMIT_MINUTES,
        }),
    })
  }

  update(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'reading.settings',
      allow: mayConfigureReading,
      input: settingsValidator,
      run: async ({ user, input }) => {
        const changes = await setLimits(user.id, input.limits ?? {}, this.clock.now())
        const policy = await setSingleSignature(
          Boolean(input.singleSignature),
          user.id,
          this.clock.now()
        )
        return { changes, policy }
      },
      audit: {
        target: () => ({ type: 'reading_settings', id: null }),
        details: (result) => ({ limits: result.changes, singleSignature: result.policy }),
      },
      page: () => done(ctx, 'common.saved', {}, '/admin/reading'),
    })
  }
}

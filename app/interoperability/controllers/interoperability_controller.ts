import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { useCase, done } from '#app/platform/http/use_case'
import { Clock } from '#app/platform/clock'
import { RecognitionPush } from '#app/interoperability/push/recognition_push'
import { FhirDelivery } from '#app/interoperability/push/push_models'
import {
  deliveryTarget,
  mayManageInteroperability,
} from '#app/interoperability/interoperability_access'
import { pushSettingsValidator } from '#app/interoperability/validators'
import { worklistSettings } from '#app/interoperability/worklist/worklist_settings'
import { appBaseUrl } from '#app/interoperability/fhir/fhir_client'

/** The administrator's page: the recognition platform's endpoint, the deliveries, where devices and systems connect. */
export default class InteroperabilityController {
  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'interop.push_view',
      allow: mayManageInteroperability,
      run: async () => {
        const push = await app.container.make(RecognitionPush)
        const deliveries = await FhirDelivery.query()
          .preload('exam')
          .orderBy('id', 'desc')
          .limit(50)
        const counts = await FhirDelivery.query()
          .select('status')
          .count('* as total')
          .groupBy('status')
        return {
          settings: await push.settings(),
          deliveries,
          counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.$extras.total)])),
        }
      },
      page: (state) =>
        ctx.view.render('pages/interoperability/index', {
          ...state,
          worklist: worklistSettings(),
          fhirBase: `${appBaseUrl(ctx)}/fhir/r4`,
        }),
    })
  }

  save(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'interop.push_settings',
      allow: mayManageInteroperability,
      input: pushSettingsValidator,
      run: async ({ input, user }) =>
        (await app.container.make(RecognitionPush)).saveSettings(
          { ...input, active: input.active ?? false },
          user.id
        ),
      audit: {
        target: (s) => ({ type: 'fhir_push_settings', id: s.id }),
        details: (s) => ({ endpoint: s.endpointUrl, active: s.active }),
      },
      page: () => done(ctx, 'interoperability.push.settings_saved', {}, '/admin/interoperability'),
    })
  }

  retry(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'interop.push_retry',
      allow: mayManageInteroperability,
      target: deliveryTarget,
      run: async ({ target }) => {
        if (target.status === 'queued') {
          target.nextAttemptAt = (await app.container.make(Clock)).now()
          await target.save()
        }
        return target
      },
      page: () => done(ctx, 'interoperability.push.retry_queued', {}, '/admin/interoperability'),
    })
  }
}

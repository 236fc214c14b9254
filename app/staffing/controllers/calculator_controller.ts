import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { errors as vineErrors } from '@vinejs/vine'
import {
  calculationInput,
  calculationValidator,
} from '#app/staffing/validators/staffing_validators'
import { StaffingCalculator } from '#app/staffing/services/staffing_calculator'
import {
  emptyWorkload,
  type CalculationInput,
  type StaffingResult,
} from '#app/staffing/services/staffing_rules'
import { mayManageStaffing } from '#app/staffing/staffing_access'
import { DomainRefusal } from '#app/platform/domain_refusal'
import { wantsJson } from '#app/platform/http/wants_json'
import { requestInput } from '#app/platform/http/request_input'
import { useCase } from '#app/platform/http/use_case'
import { resultView } from './staffing_view.js'

/**
 * The calculator: a page that only reads (a bad period or number is shown on
 * the same page with the form kept, never a redirect, which would loop on a
 * GET) and POST /api/v1/staffing/calculations (JSON, 422 for bad input).
 */
@inject()
export default class CalculatorController {
  constructor(protected calculator: StaffingCalculator) {}

  calculate(ctx: HttpContext) {
    const query = requestInput(ctx) as Record<string, any>
    return useCase(ctx, {
      action: 'staffing.calculate',
      allow: mayManageStaffing,
      run: async () => {
        let input: CalculationInput = {
          source: 'recorded',
          ...this.calculator.defaultPeriod(),
          typed: null,
          adjustments: emptyWorkload(),
        }
        let result: StaffingResult | null = null
        let error: string | null = null
        try {
          input = calculationInput(
            await calculationValidator.validate(query, {
              messagesProvider: ctx.i18n.createMessagesProvider(),
            })
          )
          result = await this.calculator.calculate(input)
        } catch (failure) {
          // The API answers bad input with 422 (audited by the pipeline); the page shows it beside the form.
          if (wantsJson(ctx)) throw failure
          if (failure instanceof DomainRefusal)
            error = ctx.i18n.t(failure.messageKey, failure.messageData)
          else if (failure instanceof vineErrors.E_VALIDATION_ERROR)
            error = failure.messages.map((m: any) => m.message).join('; ')
          else throw failure
        }
        return { input, result, error }
      },
      audit: {
        details: ({ result, error }) => ({
          source: result?.workload.source,
          period: result?.workload.period,
          shownError: Boolean(error),
        }),
      },
      json: ({ result }) => ({ data: result }),
      page: ({ input, result, error }) => {
        const period =
          result?.workload.period ??
          (input.source === 'recorded' ? { from: input.from, to: input.to } : null)
        const fallback = this.calculator.defaultPeriod()
        const form = {
          source: input.source,
          from: period?.from ?? query.from ?? fallback.from,
          to: period?.to ?? query.to ?? fallback.to,
          adjust: input.adjustments,
          // typed figures start from what was recorded, so "CT +20%" can also be typed by hand
          read:
            input.typed?.read ??
            (result
              ? Object.fromEntries(result.workload.lines.map((l) => [l.category, l.read.annual]))
              : emptyWorkload()),
          performed:
            input.typed?.performed ??
            (result
              ? Object.fromEntries(
                  result.workload.lines.map((l) => [l.category, l.performed.annual])
                )
              : emptyWorkload()),
        }
        return ctx.view.render('pages/staffing/calculator', {
          form,
          error,
          ...resultView(ctx, result),
        })
      },
    })
  }
}

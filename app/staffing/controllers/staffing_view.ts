import type { HttpContext } from '@adonisjs/core/http'
import { presenter } from '#app/staffing/services/staffing_presenter'
import { chartBars, chartSvg } from '#app/staffing/services/staffing_chart'
import { WORKLOAD_CATEGORIES, type StaffingResult } from '#app/staffing/services/staffing_rules'

/** What every staffing page that shows a result needs: the formatters and the chart. */
export function resultView(
  ctx: HttpContext,
  result: StaffingResult | null,
  chartId = 'staffing-chart'
) {
  const t = (key: string, data?: Record<string, unknown>) => ctx.i18n.t(key, data)
  return {
    result,
    p: presenter,
    categories: WORKLOAD_CATEGORIES,
    chart: result
      ? chartSvg(
          chartBars(result, t),
          {
            title: t('staffing.chart.title'),
            required: t('staffing.chart.required'),
            actual: t('staffing.chart.actual'),
          },
          chartId
        )
      : null,
  }
}

export function chartOf(ctx: HttpContext, result: StaffingResult, chartId: string) {
  return resultView(ctx, result, chartId).chart
}

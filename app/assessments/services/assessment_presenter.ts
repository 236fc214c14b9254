import type { I18n } from '@adonisjs/i18n'
import type { IndicatorColumn } from '#app/assessments/services/quarterly_assessment'
import { formatFigure } from '#app/assessments/services/qc_bulletin'
import { isoDay } from '#app/assessments/services/training'

/** What the assessment pages print: figures in the person's language, DATE columns as yyyy-MM-dd. */
export function presenter(i18n: I18n) {
  const t = (key: string, data?: Record<string, unknown>) => i18n.t(key, data)
  return {
    figure: (column: Pick<IndicatorColumn, 'unit'>, value: number | null | undefined) =>
      formatFigure(t, column, value),
    label: (column: Pick<IndicatorColumn, 'labelKey'>) => i18n.t(column.labelKey),
    day: (value: Date | string | null) => (value ? isoDay(value) : '—'),
  }
}

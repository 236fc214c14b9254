import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import imaging from '#config/imaging'
import { readFileSync } from 'node:fs'
import app from '@adonisjs/core/services/app'
import { useCase, done } from '#app/platform/http/use_case'
import { Clock } from '#app/platform/clock'
import { parseCsv } from '#app/platform/csv'
import { ReportSheets } from '#app/quality/services/report_sheets'
import { mayOfficer } from '#app/quality/quality_access'
import { sheetValidator } from '#app/quality/validators/quality_validators'

const quarterValidator = vine.compile(
  vine.object({
    quarter: vine
      .string()
      .trim()
      .regex(/^\d{4}Q[1-4]$/)
      .optional(),
  })
)

/** The rule rows of B appendix B, as the sheet shows them. */
function ruleRows() {
  return parseCsv(readFileSync(app.makePath('database/data/report-qc-sheet.csv'), 'utf8')).filter(
    (r) => r.part === 'department_rules'
  )
}

/** B appendix B's quarterly 30-point sheet. */
@inject()
export default class ReportSheetsController {
  constructor(
    protected sheets: ReportSheets,
    protected clock: Clock
  ) {}

  show(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.sheets',
      allow: mayOfficer,
      input: quarterValidator,
      audit: 'refusals',
      run: async ({ input }) => {
        const now = this.clock.now().setZone(imaging.displayTimezone)
        const quarter = input.quarter ?? `${now.year}Q${Math.ceil(now.month / 3)}`
        return {
          ...(await this.sheets.draw(quarter)),
          history: await this.sheets.history(),
          rules: ruleRows(),
        }
      },
      json: (result) => ({
        data: { quarter: result.quarter, drawn: result.drawn, agreementRate: result.agreementRate },
      }),
      page: (result) => ctx.view.render('pages/quality/sheets', result),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'quality.sheet_save',
      allow: mayOfficer,
      input: sheetValidator,
      run: ({ user, input }) => this.sheets.save(user, input),
      audit: {
        target: (saved) => ({ type: 'qc_report_sheet', id: saved.id }),
        details: (saved, { input }) => ({
          quarter: input.quarter,
          total: saved.total,
          passed: saved.passed,
        }),
      },
      json: (saved) => ({ data: saved }),
      page: (saved, { input }) =>
        done(
          ctx,
          'quality.flash.sheet_saved',
          { total: saved.total },
          `/quality/sheets?quarter=${input.quarter}`
        ),
    })
  }
}

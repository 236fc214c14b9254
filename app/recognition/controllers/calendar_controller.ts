import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { useCase, done } from '#app/platform/http/use_case'
import { Clock } from '#app/platform/clock'
import imaging from '#config/imaging'
import { DataQuality } from '#app/recognition/services/data_quality'
import {
  calendarYear,
  removeCalendarDay,
  setCalendarDay,
} from '#app/recognition/services/work_calendar'
import { mayManageRecognition } from '#app/recognition/recognition_access'
import {
  calendarDayValidator,
  calendarYearValidator,
} from '#app/recognition/validators/recognition_validators'

/** The administrators' working-day calendar of the continuity metric (R 7.1.5): public holidays and 调休 days. */
@inject()
export default class CalendarController {
  constructor(
    protected dataQuality: DataQuality,
    protected clock: Clock
  ) {}

  index(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.calendar.view',
      allow: mayManageRecognition,
      audit: false,
      input: calendarYearValidator,
      run: async ({ input }) => {
        const year = input.year ?? this.clock.now().setZone(imaging.displayTimezone).year
        return { year, days: await calendarYear(year) }
      },
      json: (state) => ({ data: state }),
      page: (state) => ctx.view.render('pages/recognition/calendar', state),
    })
  }

  store(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.calendar.save',
      allow: mayManageRecognition,
      input: calendarDayValidator,
      run: async ({ user, input }) => {
        const saved = await setCalendarDay(user.id, input)
        // the continuity figures already kept for that day and the days after it change with it
        await this.dataQuality.recomputeFrom(saved.day)
        return saved
      },
      audit: {
        target: (r) => ({ type: 'recognition_calendar_day', id: r.day }),
        details: (r) => ({ kind: r.kind, name: r.name }),
      },
      json: (r) => ({ data: r }),
      page: (r) =>
        done(
          ctx,
          'recognition.calendar.saved',
          {},
          `/admin/recognition/calendar?year=${r.day.slice(0, 4)}`
        ),
    })
  }

  destroy(ctx: HttpContext) {
    return useCase(ctx, {
      action: 'recognition.calendar.remove',
      allow: mayManageRecognition,
      run: async () => {
        const removed = await removeCalendarDay(String(ctx.params.day ?? ''))
        await this.dataQuality.recomputeFrom(removed.day)
        return removed
      },
      audit: {
        target: (r) => ({ type: 'recognition_calendar_day', id: r.day }),
        details: (r) => ({ kind: r.kind, name: r.name }),
      },
      json: (r) => ({ data: r }),
      page: (r) =>
        done(
          ctx,
          'recognition.calendar.removed',
          {},
          `/admin/recognition/calendar?year=${r.day.slice(0, 4)}`
        ),
    })
  }
}

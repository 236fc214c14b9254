import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'

/*
| The working-day calendar a new installation starts with (migration
| 1734100000001; the test run's setup too, which empties every table):
| 2026 as the State Council's arrangement of that year (public holidays and the
| adjusted working days, 调休); 2027 with only the statutory days of
| 《全国年节及纪念日放假办法》 (2024 revision: 元旦 1, 春节 4 from 除夕, 清明 1,
| 劳动节 2, 端午 1, 中秋 1, 国庆 3), because the 2027 arrangement, with its
| bridging days and 调休, was not at hand when this was written: the
| administrators add it on the calendar page. Days already entered are kept.
*/
const HOLIDAY = 'holiday'
const WORKDAY = 'workday'

function span(from: string, to: string, name: string) {
  const days: { day: string; kind: string; name: string }[] = []
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`);) {
    days.push({ day: d.toISOString().slice(0, 10), kind: HOLIDAY, name })
    d = new Date(d.getTime() + 86_400_000)
  }
  return days
}
const worked = (day: string, name: string) => ({ day, kind: WORKDAY, name })

export const SEEDED_CALENDAR = [
  // 2026
  ...span('2026-01-01', '2026-01-03', '元旦'),
  worked('2026-01-04', '元旦'),
  worked('2026-02-14', '春节'),
  ...span('2026-02-15', '2026-02-23', '春节'),
  worked('2026-02-28', '春节'),
  ...span('2026-04-04', '2026-04-06', '清明节'),
  ...span('2026-05-01', '2026-05-05', '劳动节'),
  worked('2026-05-09', '劳动节'),
  ...span('2026-06-19', '2026-06-21', '端午节'),
  worked('2026-09-20', '国庆节'),
  ...span('2026-09-25', '2026-09-27', '中秋节'),
  ...span('2026-10-01', '2026-10-07', '国庆节'),
  worked('2026-10-10', '国庆节'),
  // 2027: the statutory days only
  ...span('2027-01-01', '2027-01-01', '元旦'),
  ...span('2027-02-05', '2027-02-08', '春节'),
  ...span('2027-04-05', '2027-04-05', '清明节'),
  ...span('2027-05-01', '2027-05-02', '劳动节'),
  ...span('2027-06-09', '2027-06-09', '端午节'),
  ...span('2027-09-15', '2027-09-15', '中秋节'),
  ...span('2027-10-01', '2027-10-03', '国庆节'),
]

export async function seedWorkCalendar(client: QueryClientContract = db.connection()) {
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
  for (const day of SEEDED_CALENDAR)
    await client
      .knexQuery()
      .table('recognition_calendar_days')
      .insert({ ...day, updated_at: now })
      .onConflict('day')
      .ignore()
}

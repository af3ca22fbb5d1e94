// The calendar editor's model, free of Vue: what each date of a calendar is (the month view),
// checks of working hours before saving, and where a server error naming a field belongs.
//
// Day precedence is the server's (src/sla/calendar.cpp, hours_on): a dated override (its
// hours; none = off), then a public holiday (off), then a make-up workday (调休上班: the hours of
// the first weekday Monday–Friday that has any), then the weekly pattern.
import { WEEKDAYS, type CalendarBody, type CalendarOverride, type HolidayDay, type HoursRange, type Weekday, type WeeklyHours } from '@/api/sla'

/** The zones offered first in a calendar's zone select. */
export const COMMON_ZONES = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Taipei',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Australia/Sydney',
  'UTC',
]

/** What a date is, as the month view shows it. */
export type DayKind = 'working' | 'rest' | 'holiday' | 'makeup' | 'override'

export interface DayInfo {
  date: string
  weekday: Weekday
  kind: DayKind
  /** The working hours that apply (empty: not a working day). */
  hours: HoursRange[]
  minutes: number
  /** The holiday's or make-up workday's name from the holiday set ('' if none). */
  name: string
  /** The override's note. */
  note: string
  /** What the date would be without its override, and its hours then. */
  base: Exclude<DayKind, 'override'>
  baseHours: HoursRange[]
}

/** Holiday days of every set of a calendar, by date; a holiday wins over a make-up workday. */
export type HolidayIndex = Map<string, { kind: HolidayDay['kind']; name: string }>

export function holidayIndex(lists: HolidayDay[][]): HolidayIndex {
  const out: HolidayIndex = new Map()
  for (const list of lists) {
    for (const d of list) {
      const seen = out.get(d.date)
      if (!seen || (seen.kind === 'workday' && d.kind === 'holiday')) out.set(d.date, { kind: d.kind, name: d.name })
    }
  }
  return out
}

/** Monday = 'mon' ... of a YYYY-MM-DD date. */
export function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number)
  const js = new Date(Date.UTC(y, m - 1, d)).getUTCDay() // 0 = Sunday
  return WEEKDAYS[(js + 6) % 7]
}

/** Minutes of the day of "HH:MM" ("24:00" only as an end); null if it is not a time. */
export function parseHhmm(s: string, end = false): number | null {
  const m = /^(\d\d):(\d\d)$/.exec(s.trim())
  if (!m) return null
  const h = Number(m[1])
  const mi = Number(m[2])
  if (h === 24 && mi === 0 && end) return 1440
  if (h > 23 || mi > 59) return null
  return h * 60 + mi
}

export function rangeMinutes(hours: HoursRange[]): number {
  let total = 0
  for (const [b, e] of hours) {
    const bb = parseHhmm(b)
    const ee = parseHhmm(e, true)
    if (bb !== null && ee !== null && ee > bb) total += ee - bb
  }
  return total
}

/** The hours of a make-up workday: those of the first weekday Monday–Friday that has any. */
export function makeupHours(weekly: WeeklyHours): HoursRange[] {
  for (const d of WEEKDAYS.slice(0, 5)) {
    if (weekly[d].length > 0) return weekly[d]
  }
  return weekly.mon
}

export function classifyDay(
  date: string,
  weekly: WeeklyHours,
  overrides: ReadonlyMap<string, CalendarOverride>,
  holidays: HolidayIndex,
): DayInfo {
  const weekday = weekdayOf(date)
  const h = holidays.get(date)
  let base: DayInfo['base']
  let hours: HoursRange[]
  if (h?.kind === 'holiday') {
    base = 'holiday'
    hours = []
  } else if (h?.kind === 'workday') {
    base = 'makeup'
    hours = makeupHours(weekly)
  } else {
    hours = weekly[weekday]
    base = hours.length > 0 ? 'working' : 'rest'
  }
  const o = overrides.get(date)
  const used = o ? o.hours : hours
  return {
    date,
    weekday,
    kind: o ? 'override' : base,
    hours: used,
    minutes: rangeMinutes(used),
    name: h?.name ?? '',
    note: o?.note ?? '',
    base,
    baseHours: hours,
  }
}

/** The dates of a month (1-12) as weeks Monday first; null pads the first and last week. */
export function monthWeeks(year: number, month: number): (string | null)[][] {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const pad = (n: number) => String(n).padStart(2, '0')
  const first = weekdayOf(`${year}-${pad(month)}-01`)
  const cells: (string | null)[] = Array(WEEKDAYS.indexOf(first)).fill(null)
  for (let d = 1; d <= days; d++) cells.push(`${year}-${pad(month)}-${pad(d)}`)
  while (cells.length % 7) cells.push(null)
  const weeks: (string | null)[][] = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

/** A problem with a day's hours found before saving (the server checks the same). */
export type HoursProblem = { range: number | null; code: 'time' | 'order' | 'overlap' }

export function checkHours(hours: HoursRange[]): HoursProblem | null {
  let lastEnd = -1
  for (let i = 0; i < hours.length; i++) {
    const b = parseHhmm(hours[i][0])
    const e = parseHhmm(hours[i][1], true)
    if (b === null || e === null) return { range: i, code: 'time' }
    if (b >= e) return { range: i, code: 'order' }
    if (b < lastEnd) return { range: i, code: 'overlap' }
    lastEnd = e
  }
  return null
}

export const ALL_DAY: HoursRange = ['00:00', '24:00']

export function emptyWeek(): WeeklyHours {
  return { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }
}

/** Mon–Fri 09:00–12:00, 13:00–18:00: what a new calendar starts with. */
export function officeWeek(): WeeklyHours {
  const w = emptyWeek()
  for (const d of WEEKDAYS.slice(0, 5)) w[d] = [['09:00', '12:00'], ['13:00', '18:00']]
  return w
}

export function copyWeek(w: WeeklyHours): WeeklyHours {
  const out = emptyWeek()
  for (const d of WEEKDAYS) out[d] = (w[d] ?? []).map(([b, e]) => [b, e] as HoursRange)
  return out
}

/** Tuesday to Friday get Monday's hours. */
export function copyMondayToWeekdays(w: WeeklyHours): void {
  for (const d of WEEKDAYS.slice(1, 5)) w[d] = w.mon.map(([b, e]) => [b, e] as HoursRange)
}

/** The range "add range" appends: an hour after the day's last one, or 09:00–18:00 on an empty day. */
export function nextRange(hours: HoursRange[]): HoursRange {
  if (hours.length === 0) return ['09:00', '18:00']
  const last = parseHhmm(hours[hours.length - 1][1], true)
  if (last === null || last >= 1440) return ['', '']
  return [formatHhmm(last), formatHhmm(Math.min(last + 60, 1440))]
}

export function formatHhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

/** The editor's state: the body the API takes plus `active`. */
export interface CalendarForm extends CalendarBody {
  active: boolean
}

/**
 * The body to send: names trimmed, ranges trimmed, overrides sorted by date (the server sorts
 * them too, and names an override by its index: sorted first, that index is the row's).
 */
export function calendarBody(f: CalendarForm): CalendarBody {
  const trimHours = (hs: HoursRange[]) => hs.map(([b, e]) => [b.trim(), e.trim()] as HoursRange)
  const weekly = emptyWeek()
  for (const d of WEEKDAYS) weekly[d] = trimHours(f.weekly[d])
  return {
    name: f.name.trim(),
    zone: f.zone.trim(),
    weekly,
    holiday_sets: [...f.holiday_sets],
    overrides: sortOverrides(f.overrides).map((o) => {
      const note = (o.note ?? '').trim()
      return note ? { date: o.date, hours: trimHours(o.hours), note } : { date: o.date, hours: trimHours(o.hours) }
    }),
  }
}

/** Overrides by date (stable: two rows with one date keep their order). */
export function sortOverrides(list: CalendarOverride[]): CalendarOverride[] {
  return list.map((o, i) => ({ o, i })).sort((a, b) => (a.o.date < b.o.date ? -1 : a.o.date > b.o.date ? 1 : a.i - b.i)).map((x) => x.o)
}

/** Where an error about `field` shows: a key of the editor's error map, and a range to outline. */
export interface ErrorPlace {
  /** 'name', 'zone', 'holiday_sets', 'active', 'weekly', 'weekly.mon', 'overrides',
   *  'overrides[2].date', 'overrides[2].hours', 'overrides[2].note' */
  key: string
  /** The index of the range inside that day's hours, when the error names one. */
  range: number | null
}

/** The place of a field the server named ("weekly.mon[1]", "overrides[0].date"); null if unknown. */
export function errorPlace(field: string): ErrorPlace | null {
  if (['name', 'zone', 'holiday_sets', 'active', 'weekly', 'overrides'].includes(field)) return { key: field, range: null }
  let m = /^weekly\.(mon|tue|wed|thu|fri|sat|sun)(?:\[(\d+)\])?$/.exec(field)
  if (m) return { key: `weekly.${m[1]}`, range: m[2] === undefined ? null : Number(m[2]) }
  m = /^overrides\[(\d+)\](?:\.(date|hours|note)(?:\[(\d+)\])?)?/.exec(field)
  if (m) return { key: `overrides[${m[1]}].${m[2] ?? 'date'}`, range: m[3] === undefined ? null : Number(m[3]) }
  return null
}

/** Client-side checks before saving, in the shape server errors take: field -> message key. */
export function checkForm(f: CalendarForm): Array<{ field: string; code: HoursProblem['code'] | 'date' | 'dateTwice' | 'required' }> {
  const out: Array<{ field: string; code: HoursProblem['code'] | 'date' | 'dateTwice' | 'required' }> = []
  if (!f.name.trim()) out.push({ field: 'name', code: 'required' })
  if (!f.zone.trim()) out.push({ field: 'zone', code: 'required' })
  for (const d of WEEKDAYS) {
    const p = checkHours(f.weekly[d])
    if (p) out.push({ field: p.range === null ? `weekly.${d}` : `weekly.${d}[${p.range}]`, code: p.code })
  }
  const sorted = sortOverrides(f.overrides)
  const seen = new Set<string>()
  sorted.forEach((o, i) => {
    if (!/^\d{4}-\d\d-\d\d$/.test(o.date)) out.push({ field: `overrides[${i}].date`, code: 'date' })
    else if (seen.has(o.date)) out.push({ field: `overrides[${i}].date`, code: 'dateTwice' })
    seen.add(o.date)
    const p = checkHours(o.hours)
    if (p) out.push({ field: p.range === null ? `overrides[${i}].hours` : `overrides[${i}].hours[${p.range}]`, code: p.code })
  })
  return out
}

/** Years as runs: [2024, 2025, 2026, 2028] -> "2024–2026, 2028". */
export function yearRuns(years: number[]): string {
  const ys = [...new Set(years)].sort((a, b) => a - b)
  const runs: string[] = []
  for (let i = 0; i < ys.length; ) {
    let j = i
    while (j + 1 < ys.length && ys[j + 1] === ys[j] + 1) j++
    runs.push(j > i ? `${ys[i]}–${ys[j]}` : String(ys[i]))
    i = j + 1
  }
  return runs.join(', ')
}

/** "09:00–12:00, 13:00–18:00" */
export function formatHours(hours: HoursRange[]): string {
  return hours.map(([b, e]) => `${b}–${e}`).join(', ')
}

/** Minutes as "2 h 30 min" pieces for the calculator: [hours, minutes]. */
export function splitMinutes(total: number): [number, number] {
  return [Math.floor(total / 60), total % 60]
}

/** Runs of consecutive weekdays with the same (non-empty) hours, for a one-line summary. */
export function weekGroups(weekly: WeeklyHours): Array<{ from: Weekday; to: Weekday; hours: HoursRange[] }> {
  const out: Array<{ from: Weekday; to: Weekday; hours: HoursRange[] }> = []
  const same = (a: HoursRange[], b: HoursRange[]) => JSON.stringify(a) === JSON.stringify(b)
  for (const d of WEEKDAYS) {
    const hours = weekly[d] ?? []
    if (hours.length === 0) continue
    const last = out[out.length - 1]
    if (last && WEEKDAYS.indexOf(last.to) === WEEKDAYS.indexOf(d) - 1 && same(last.hours, hours)) last.to = d
    else out.push({ from: d, to: d, hours })
  }
  return out
}

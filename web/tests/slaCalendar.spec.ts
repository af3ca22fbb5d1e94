// The business-calendar editor's model (modules/sla-admin/calendarModel.ts): the month view's
// day classification with the server's precedence, weeks of a month, hour checks, where server
// errors go, and the holiday-set import call (raw body, 422 report).
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CalendarOverride, HolidayDay } from '../src/api/sla'
import { holidaySetsApi } from '../src/api/sla'
import {
  calendarBody,
  checkForm,
  checkHours,
  classifyDay,
  copyMondayToWeekdays,
  emptyWeek,
  errorPlace,
  holidayIndex,
  makeupHours,
  monthWeeks,
  nextRange,
  officeWeek,
  parseHhmm,
  rangeMinutes,
  weekdayOf,
  weekGroups,
  yearRuns,
  type CalendarForm,
} from '../src/modules/sla-admin/calendarModel'

// cn-statutory, February 2026: 春节 15–23, make-up workdays Saturday 14 and Saturday 28.
const cnFeb2026: HolidayDay[] = [
  { date: '2026-02-14', kind: 'workday', name: '调休上班' },
  ...[15, 16, 17, 18, 19, 20, 21, 22, 23].map((d) => ({ date: `2026-02-${d}`, kind: 'holiday' as const, name: '春节' })),
  { date: '2026-02-28', kind: 'workday', name: '调休上班' },
]

const noOverrides = new Map<string, CalendarOverride>()

describe('month view day classification', () => {
  const weekly = officeWeek()
  const idx = holidayIndex([cnFeb2026])
  const day = (date: string, overrides = noOverrides) => classifyDay(date, weekly, overrides, idx)

  it('knows weekdays', () => {
    expect(weekdayOf('2026-02-13')).toBe('fri')
    expect(weekdayOf('2026-02-14')).toBe('sat')
    expect(weekdayOf('2026-02-15')).toBe('sun')
    expect(weekdayOf('2024-02-29')).toBe('thu')
  })

  it('gives weekly hours to an ordinary weekday and a rest day to an ordinary weekend', () => {
    const fri = day('2026-02-13')
    expect([fri.kind, fri.minutes, fri.hours]).toEqual(['working', 480, [['09:00', '12:00'], ['13:00', '18:00']]])
    const sun = day('2026-02-08')
    expect([sun.kind, sun.minutes, sun.hours]).toEqual(['rest', 0, []])
  })

  it('makes a public holiday a day off with its name, even on a weekday', () => {
    const mon = day('2026-02-16')
    expect([mon.weekday, mon.kind, mon.name, mon.minutes]).toEqual(['mon', 'holiday', '春节', 0])
  })

  it('works a make-up Saturday with the hours of the first weekday that has any', () => {
    const sat = day('2026-02-14')
    expect([sat.kind, sat.minutes, sat.hours]).toEqual(['makeup', 480, weekly.mon])
    const w = emptyWeek()
    w.tue = [['08:00', '12:00']]
    w.wed = [['10:00', '11:00']]
    expect(makeupHours(w)).toEqual([['08:00', '12:00']])
    expect(classifyDay('2026-02-28', w, noOverrides, idx).hours).toEqual([['08:00', '12:00']])
    // No weekday has hours: a make-up workday has none either.
    expect(classifyDay('2026-02-28', emptyWeek(), noOverrides, idx).minutes).toBe(0)
  })

  it('lets an override win over a holiday, a make-up workday and the weekly hours', () => {
    const overrides = new Map<string, CalendarOverride>([
      ['2026-02-16', { date: '2026-02-16', hours: [['10:00', '12:00']], note: '值班' }],
      ['2026-02-14', { date: '2026-02-14', hours: [] }],
      ['2026-02-13', { date: '2026-02-13', hours: [['09:00', '17:00']] }],
    ])
    const holiday = day('2026-02-16', overrides)
    expect([holiday.kind, holiday.base, holiday.minutes, holiday.note, holiday.name]).toEqual(['override', 'holiday', 120, '值班', '春节'])
    const makeup = day('2026-02-14', overrides)
    expect([makeup.kind, makeup.base, makeup.minutes, makeup.baseHours]).toEqual(['override', 'makeup', 0, weekly.mon])
    const fri = day('2026-02-13', overrides)
    expect([fri.kind, fri.base, fri.minutes]).toEqual(['override', 'working', 480])
  })

  it('lets a holiday of one set win over a make-up workday of another', () => {
    const other: HolidayDay[] = [{ date: '2026-02-14', kind: 'holiday', name: 'Company day' }]
    expect(classifyDay('2026-02-14', weekly, noOverrides, holidayIndex([cnFeb2026, other])).kind).toBe('holiday')
    expect(classifyDay('2026-02-14', weekly, noOverrides, holidayIndex([other, cnFeb2026])).name).toBe('Company day')
  })

  it('lays a month out in weeks from Monday', () => {
    const feb = monthWeeks(2026, 2) // 1 February 2026 is a Sunday
    expect(feb.length).toBe(5)
    expect(feb[0]).toEqual([null, null, null, null, null, null, '2026-02-01'])
    expect(feb[4]).toEqual(['2026-02-23', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', null])
    expect(monthWeeks(2024, 2).flat().filter(Boolean).length).toBe(29)
    expect(monthWeeks(2026, 6)[0][0]).toBe('2026-06-01')
  })

  it('adds up February 2026 like the server would', () => {
    const days = monthWeeks(2026, 2).flat().filter((d): d is string => d !== null).map((d) => day(d))
    const working = days.filter((d) => d.minutes > 0)
    // 20 weekdays, minus 春节 Mon–Fri 16–20 and Mon 23 (6), plus two make-up Saturdays.
    expect(working.length).toBe(16)
    expect(days.filter((d) => d.kind === 'makeup').map((d) => d.date)).toEqual(['2026-02-14', '2026-02-28'])
  })
})

describe('working hours', () => {
  it('parses HH:MM, 24:00 only as an end', () => {
    expect(parseHhmm('09:30')).toBe(570)
    expect(parseHhmm('24:00')).toBeNull()
    expect(parseHhmm('24:00', true)).toBe(1440)
    expect(parseHhmm('9:30')).toBeNull()
    expect(parseHhmm('12:60')).toBeNull()
    expect(rangeMinutes([['00:00', '24:00']])).toBe(1440)
  })

  it('finds bad, reversed and overlapping ranges like the server', () => {
    expect(checkHours([['09:00', '12:00'], ['13:00', '18:00']])).toBeNull()
    expect(checkHours([['09:00', '12:00'], ['12:00', '24:00']])).toBeNull()
    expect(checkHours([['09:00', '12:00'], ['13:00', '1800']])).toEqual({ range: 1, code: 'time' })
    expect(checkHours([['12:00', '09:00']])).toEqual({ range: 0, code: 'order' })
    expect(checkHours([['09:00', '12:00'], ['11:00', '18:00']])).toEqual({ range: 1, code: 'overlap' })
  })

  it('copies Monday to the other weekdays, not the weekend', () => {
    const w = emptyWeek()
    w.mon = [['08:30', '17:30']]
    w.sat = [['10:00', '12:00']]
    copyMondayToWeekdays(w)
    expect([w.tue, w.fri, w.sat]).toEqual([[['08:30', '17:30']], [['08:30', '17:30']], [['10:00', '12:00']]])
    w.tue[0][1] = '18:00'
    expect(w.mon[0][1]).toBe('17:30') // copies, not shared arrays
  })

  it('suggests the next range after the last one', () => {
    expect(nextRange([])).toEqual(['09:00', '18:00'])
    expect(nextRange([['09:00', '12:00']])).toEqual(['12:00', '13:00'])
    expect(nextRange([['09:00', '23:30']])).toEqual(['23:30', '24:00'])
    expect(nextRange([['00:00', '24:00']])).toEqual(['', ''])
  })

  it('summarises a week in runs of equal days', () => {
    const w = officeWeek()
    expect(weekGroups(w)).toEqual([{ from: 'mon', to: 'fri', hours: w.mon }])
    w.fri = [['09:00', '12:00'], ['13:00', '17:00']]
    w.sun = [['10:00', '16:00']]
    expect(weekGroups(w).map((g) => `${g.from}-${g.to}`)).toEqual(['mon-thu', 'fri-fri', 'sun-sun'])
  })

  it('writes years as runs', () => {
    expect(yearRuns([2026, 2024, 2025, 2028])).toBe('2024–2026, 2028')
    expect(yearRuns([])).toBe('')
  })
})

describe('saving a calendar', () => {
  const form = (): CalendarForm => ({
    name: ' Office ',
    zone: 'Asia/Shanghai',
    weekly: officeWeek(),
    holiday_sets: ['cn-statutory'],
    overrides: [
      { date: '2026-05-06', hours: [], note: ' ' },
      { date: '2026-03-02', hours: [[' 10:00', '12:00 ']], note: '盘点' },
    ],
    active: true,
  })

  it('sends trimmed values and overrides sorted by date, without empty notes', () => {
    const body = calendarBody(form())
    expect(body.name).toBe('Office')
    expect(body.overrides).toEqual([
      { date: '2026-03-02', hours: [['10:00', '12:00']], note: '盘点' },
      { date: '2026-05-06', hours: [] },
    ])
    expect(body).not.toHaveProperty('active')
  })

  it('checks the form with the field names the server uses, overrides by their sorted index', () => {
    const f = form()
    f.weekly.wed = [['09:00', '12:00'], ['11:00', '13:00']]
    f.overrides.push({ date: '2026-03-02', hours: [['18:00', '09:00']] })
    expect(checkForm(f)).toEqual([
      { field: 'weekly.wed[1]', code: 'overlap' },
      { field: 'overrides[1].date', code: 'dateTwice' },
      { field: 'overrides[1].hours[0]', code: 'order' },
    ])
    f.name = ''
    expect(checkForm(f)[0]).toEqual({ field: 'name', code: 'required' })
  })

  it('places server errors next to their field', () => {
    expect(errorPlace('weekly.mon[1]')).toEqual({ key: 'weekly.mon', range: 1 })
    expect(errorPlace('weekly.sun')).toEqual({ key: 'weekly.sun', range: null })
    expect(errorPlace('overrides[0].date')).toEqual({ key: 'overrides[0].date', range: null })
    expect(errorPlace('overrides[3].hours[2]')).toEqual({ key: 'overrides[3].hours', range: 2 })
    expect(errorPlace('overrides[3]')).toEqual({ key: 'overrides[3].date', range: null })
    expect(errorPlace('holiday_sets')).toEqual({ key: 'holiday_sets', range: null })
    expect(errorPlace('zone')).toEqual({ key: 'zone', range: null })
    expect(errorPlace('version')).toBeNull()
    expect(errorPlace('weekly.xyz')).toBeNull()
  })
})

describe('holiday set import call', () => {
  afterEach(() => vi.unstubAllGlobals())

  function stub(status: number, body: unknown) {
    const calls: Array<{ url: string; init: RequestInit }> = []
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init })
      return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
    })
    return calls
  }

  it('sends the document as is with its content type and the dry-run flag', async () => {
    const calls = stub(200, { applied: false, years: [2027], holidays: 1, workdays: 0, errors: [] })
    const ics = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'
    const r = await holidaySetsApi.import('hk-public', ics, 'ical', true)
    expect(r.years).toEqual([2027])
    expect(calls[0].url).toBe('/api/v1/holiday-sets/hk-public/import?dry_run=true')
    expect(calls[0].init.method).toBe('POST')
    expect((calls[0].init.headers as Record<string, string>)['Content-Type']).toBe('text/calendar; charset=utf-8')
    expect(calls[0].init.body).toBe(ics)
    await holidaySetsApi.import('x', '{}', 'json', false)
    expect(calls[1].url).toBe('/api/v1/holiday-sets/x/import')
    expect((calls[1].init.headers as Record<string, string>)['Content-Type']).toBe('application/json')
  })

  it('returns the report of a 422 with its line-numbered errors instead of throwing', async () => {
    stub(422, {
      applied: false,
      years: [2027],
      holidays: 0,
      workdays: 0,
      errors: [{ line: 7, message: '2027-01-04 is not a Saturday or Sunday: only weekend days are made up' }],
      error: { code: 'unprocessable', message: 'the document has errors; nothing was imported', field: 'body' },
    })
    const r = await holidaySetsApi.import('cn-statutory', '{"years": {}}', 'json', true)
    expect(r.applied).toBe(false)
    expect(r.errors).toEqual([{ line: 7, message: '2027-01-04 is not a Saturday or Sunday: only weekend days are made up' }])
  })

  it('still throws other errors', async () => {
    stub(404, { error: { code: 'not_found', message: 'holiday set nope not found' } })
    await expect(holidaySetsApi.import('nope', '{}', 'json', true)).rejects.toMatchObject({ status: 404 })
  })
})

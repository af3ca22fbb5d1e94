// Dates and times in the user's own time zone (profile time_zone), via Intl.

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(locale: string, timeZone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(opts)}`
  let f = formatters.get(key)
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { ...opts, timeZone })
    } catch {
      f = new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' })
    }
    formatters.set(key, f)
  }
  return f
}

export type DateStyle = 'datetime' | 'date' | 'time'

const STYLES: Record<DateStyle, Intl.DateTimeFormatOptions> = {
  datetime: {
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  },
  date: { year: 'numeric', month: '2-digit', day: '2-digit' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
}

/** Formats an ISO 8601 time (or epoch ms) for display; '' for null/invalid. */
export function formatDateTime(
  value: string | number | Date | null | undefined,
  locale: string,
  timeZone: string,
  style: DateStyle = 'datetime',
): string {
  if (value === null || value === undefined || value === '') return ''
  const d = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(d.getTime())) return ''
  return formatter(locale, timeZone, STYLES[style]).format(d)
}

/** The UTC offset of `timeZone` at instant `at`, in minutes (east positive). */
export function zoneOffsetMinutes(timeZone: string, at: Date | number = Date.now()): number {
  const d = at instanceof Date ? at : new Date(at)
  const parts = formatter('en-US', timeZone, {
    year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(d)
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  const ms = d.getTime() - (d.getTime() % 1000)
  return Math.round((asUtc - ms) / 60000)
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+'
  const m = Math.abs(minutes)
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local date and time,
 * as ISO 8601 with that zone's offset, e.g. "2026-01-31T23:59:59+08:00".
 */
export function zonedIso(date: string, time: string, timeZone: string): string {
  const [y, mo, d] = date.split('-').map(Number)
  const [h, mi, s] = (time || '00:00:00').split(':').map(Number)
  const wall = Date.UTC(y, mo - 1, d, h || 0, mi || 0, s || 0)
  let off = zoneOffsetMinutes(timeZone, wall)
  let instant = wall - off * 60000
  const off2 = zoneOffsetMinutes(timeZone, instant)
  if (off2 !== off) {
    off = off2
    instant = wall - off * 60000
  }
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h || 0)}:${pad(mi || 0)}:${pad(s || 0)}${formatOffset(off)}`
}

/** Today's date (YYYY-MM-DD) in `timeZone`. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = formatter('en-CA', timeZone, { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now)
  const get = (t: string) => parts.find((p) => p.type === t)?.value
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1, d + days))
  return t.toISOString().slice(0, 10)
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai'
  } catch {
    return 'Asia/Shanghai'
  }
}

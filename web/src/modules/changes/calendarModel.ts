// The change calendar without Vue: the days of a month (weeks from Monday) or a week in the
// user's time zone, the API range they cover, what falls on each day (changes, freeze windows,
// maintenance windows), blocks of the week view placed by time of day with side-by-side lanes
// for overlaps, and the colours by change type or risk level.
import type { CalendarAnswer, CalendarChange, FreezeWindow, MaintenanceOccurrence } from '@/api/changes'
import { addDays, todayIn, zonedIso } from '@/utils/datetime'

export type CalendarView = 'month' | 'week'
export type ColourBy = 'type' | 'risk'

export const TYPE_COLORS: Record<string, string> = {
  standard: '#2e9e5b',
  normal: '#2f6fed',
  emergency: '#d93026',
}

export const RISK_COLORS: Record<string, string> = {
  low: '#2e9e5b',
  medium: '#e6a23c',
  high: '#d93026',
}

export const NEUTRAL = '#8a919f'

export function changeColour(c: Pick<CalendarChange, 'change_type' | 'risk_level'>, by: ColourBy): string {
  if (by === 'risk') return (c.risk_level && RISK_COLORS[c.risk_level]) || NEUTRAL
  return TYPE_COLORS[c.change_type] ?? NEUTRAL
}

/** Start of the day (ms) in `zone`. */
export function dayStart(date: string, zone: string): number {
  return new Date(zonedIso(date, '00:00:00', zone)).getTime()
}

export interface Day {
  date: string
  day: number
  /** 0 = Monday … 6 = Sunday. */
  weekday: number
  inPeriod: boolean
  today: boolean
  start: number
  end: number
}

function weekdayOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number)
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7
}

function makeDay(date: string, zone: string, inPeriod: boolean, today: string): Day {
  return {
    date,
    day: Number(date.slice(8, 10)),
    weekday: weekdayOf(date),
    inPeriod,
    today: date === today,
    start: dayStart(date, zone),
    end: dayStart(addDays(date, 1), zone),
  }
}

/** "YYYY-MM" ± months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number)
  const t = new Date(Date.UTC(y, m - 1 + n, 1))
  return t.toISOString().slice(0, 7)
}

/** The Monday on or before `date`. */
export function mondayOf(date: string): string {
  return addDays(date, -weekdayOf(date))
}

/** The weeks (Monday first) that cover the month "YYYY-MM". */
export function monthWeeks(month: string, zone: string, now: Date = new Date()): Day[][] {
  const today = todayIn(zone, now)
  const first = `${month}-01`
  let d = mondayOf(first)
  const weeks: Day[][] = []
  do {
    const week: Day[] = []
    for (let i = 0; i < 7; i++) {
      week.push(makeDay(d, zone, d.startsWith(month), today))
      d = addDays(d, 1)
    }
    weeks.push(week)
  } while (d.startsWith(month))
  return weeks
}

/** The seven days of the week holding `date`. */
export function weekDays(date: string, zone: string, now: Date = new Date()): Day[] {
  const today = todayIn(zone, now)
  const monday = mondayOf(date)
  return Array.from({ length: 7 }, (_, i) => makeDay(addDays(monday, i), zone, true, today))
}

/** The from/to of the API call for these days (UTC ISO). */
export function rangeOf(days: Day[]): { from: string; to: string } {
  return { from: new Date(days[0].start).toISOString(), to: new Date(days[days.length - 1].end).toISOString() }
}

const ms = (iso: string | null | undefined) => (iso ? new Date(iso).getTime() : NaN)

function overlaps(start: number, end: number, day: Day): boolean {
  if (Number.isNaN(start)) return false
  const e = Number.isNaN(end) ? start : end
  return start < day.end && (e > day.start || (e === start && start >= day.start))
}

export interface DayContent {
  changes: CalendarChange[]
  freezes: FreezeWindow[]
  maintenance: MaintenanceOccurrence[]
}

/** What falls on a day: changes by planned window (sorted by start), freeze and maintenance windows. */
export function dayContent(data: CalendarAnswer | null, day: Day): DayContent {
  if (!data) return { changes: [], freezes: [], maintenance: [] }
  return {
    changes: data.changes
      .filter((c) => overlaps(ms(c.planned_start), ms(c.planned_end), day))
      .sort((a, b) => ms(a.planned_start) - ms(b.planned_start) || a.number.localeCompare(b.number)),
    freezes: data.freeze_windows.filter((f) => overlaps(ms(f.start), ms(f.end), day)),
    maintenance: data.maintenance_windows
      .filter((m) => overlaps(ms(m.start), ms(m.end), day))
      .sort((a, b) => ms(a.start) - ms(b.start)),
  }
}

export interface Block<T> {
  item: T
  /** Percent of the day from the top. */
  top: number
  height: number
  lane: number
  lanes: number
  /** The item goes on before or after this day. */
  continuesBefore: boolean
  continuesAfter: boolean
}

/**
 * Blocks of the week view for one day: each item clipped to the day, at least `minPct` tall,
 * overlapping items side by side (greedy lanes; `lanes` is the widest cluster's count).
 */
export function dayBlocks<T>(items: T[], day: Day, startOf: (x: T) => string | null, endOf: (x: T) => string | null, minPct = 2.5): Block<T>[] {
  const span = day.end - day.start
  const raw = items
    .map((item) => {
      const s = ms(startOf(item))
      const e0 = ms(endOf(item))
      const e = Number.isNaN(e0) ? s : e0
      const cs = Math.max(s, day.start)
      const ce = Math.min(e, day.end)
      const top = ((cs - day.start) / span) * 100
      const height = Math.max(minPct, ((ce - cs) / span) * 100)
      return { item, top, height, continuesBefore: s < day.start, continuesAfter: e > day.end, lane: 0, lanes: 1 }
    })
    .sort((a, b) => a.top - b.top || b.height - a.height)
  // Clusters of transitively overlapping blocks share a lane count.
  let cluster: typeof raw = []
  let clusterEnd = -1
  const laneEnds: number[] = []
  const close = () => {
    const n = Math.max(1, ...cluster.map((b) => b.lane + 1))
    for (const b of cluster) b.lanes = n
    cluster = []
    laneEnds.length = 0
  }
  for (const b of raw) {
    if (cluster.length && b.top >= clusterEnd) close()
    let lane = laneEnds.findIndex((end) => end <= b.top)
    if (lane < 0) lane = laneEnds.length
    laneEnds[lane] = b.top + b.height
    b.lane = lane
    cluster.push(b)
    clusterEnd = Math.max(clusterEnd, b.top + b.height)
  }
  if (cluster.length) close()
  return raw
}

/** The freeze windows' share of a day (for shading part of a week-view column). */
export function freezeBands(freezes: FreezeWindow[], day: Day): { top: number; height: number; window: FreezeWindow }[] {
  return dayBlocks(freezes, day, (f) => f.start, (f) => f.end, 0).map((b) => ({ top: b.top, height: b.height, window: b.item }))
}

/** The month shown for a date ("YYYY-MM-DD" → "YYYY-MM"). */
export function monthOf(date: string): string {
  return date.slice(0, 7)
}

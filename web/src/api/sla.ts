// Business calendars and holiday sets (issue #5; src/api/sla_routes.cpp on the server):
// weekly hours, holiday sets and dated overrides, the deadline and business-minutes calculators,
// and holiday sets with their days and JSON / iCalendar import.
import { api, ApiError, request } from './client'

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** A working range of one day, ["09:00", "12:00"]; the end may be "24:00". */
export type HoursRange = [string, string]
export type WeeklyHours = Record<Weekday, HoursRange[]>

/** A dated exception: its own hours (none = a day off) and an optional note. */
export interface CalendarOverride {
  date: string
  hours: HoursRange[]
  note?: string
}

export interface Calendar {
  id: number
  name: string
  /** IANA time zone the hours are in. */
  zone: string
  weekly: WeeklyHours
  /** Keys of holiday sets, e.g. "cn-statutory". */
  holiday_sets: string[]
  overrides: CalendarOverride[]
  active: boolean
  created_at: string
  updated_at: string
  version: number
}

export interface CalendarBody {
  name: string
  zone: string
  weekly: WeeklyHours
  holiday_sets: string[]
  overrides: CalendarOverride[]
}

export type CalendarPatch = Partial<CalendarBody> & { version: number; active?: boolean }

/** POST /api/v1/calendars/{id}/add: `due` in the calendar's zone, `due_utc` in UTC. */
export interface DueAnswer {
  due: string
  due_utc: string
}

export interface HolidaySet {
  id: number
  key: string
  name: string
  builtin: boolean
  /** The years the set covers (an import replaces whole years). */
  years: number[]
  holidays: number
  workdays: number
  updated_at: string
  version: number
}

/** A day of a holiday set: a public holiday, or a make-up workday (调休上班). */
export interface HolidayDay {
  date: string
  kind: 'holiday' | 'workday'
  name: string
}

export interface ImportError {
  /** 1-based line of the document; 0 for the whole document. */
  line: number
  message: string
}

/** The answer of an import or its dry run; `errors` non-empty means nothing was imported. */
export interface ImportReport {
  applied: boolean
  years: number[]
  holidays: number
  workdays: number
  errors: ImportError[]
}

export type ImportFormat = 'json' | 'ical'

const C = '/api/v1/calendars'
const H = '/api/v1/holiday-sets'
const enc = encodeURIComponent

export const calendarsApi = {
  list: () => api.get<{ items: Calendar[] }>(C),
  get: (id: number) => api.get<Calendar>(`${C}/${id}`),
  create: (body: CalendarBody) => api.post<Calendar>(C, body),
  update: (id: number, patch: CalendarPatch) => api.patch<Calendar>(`${C}/${id}`, patch),
  /** The deadline `minutes` business minutes after `start` (RFC 3339). */
  add: (id: number, start: string, minutes: number) => api.post<DueAnswer>(`${C}/${id}/add`, { start, minutes }),
  /** Business minutes between two instants (RFC 3339). */
  between: (id: number, start: string, end: string) =>
    api.post<{ minutes: number }>(`${C}/${id}/between`, { start, end }),
}

export const holidaySetsApi = {
  list: () => api.get<{ items: HolidaySet[] }>(H),
  create: (key: string, name: string) => api.post<HolidaySet>(H, { key, name }),
  days: (key: string, year: number) => api.get<{ items: HolidayDay[] }>(`${H}/${enc(key)}/days`, { year }),
  /**
   * Imports (or with `dryRun` only checks) a document. A document with errors answers 422 and
   * imports nothing: that report (with its line-numbered errors) is returned, not thrown.
   */
  async import(key: string, text: string, format: ImportFormat, dryRun: boolean): Promise<ImportReport> {
    const contentType = format === 'ical' ? 'text/calendar; charset=utf-8' : 'application/json'
    try {
      return await request<ImportReport>('POST', `${H}/${enc(key)}/import`, {
        query: { dry_run: dryRun ? 'true' : undefined },
        raw: { contentType, data: text },
      })
    } catch (e) {
      const data = e instanceof ApiError && e.status === 422 ? (e.data as Partial<ImportReport> | undefined) : undefined
      if (data && Array.isArray(data.errors)) {
        return { applied: false, years: data.years ?? [], holidays: data.holidays ?? 0, workdays: data.workdays ?? 0, errors: data.errors }
      }
      throw e
    }
  },
}

// SLA policies (issue #5): which tickets a policy covers, its targets on which calendar, when
// its clock pauses and what happens at each threshold. Evaluated by position (then id): the
// first active policy whose conditions match applies.

export const POLICY_KINDS = ['incident', 'request', 'problem', 'change'] as const
export type PolicyKind = (typeof POLICY_KINDS)[number]

/** Empty lists match anything; a parent category matches its children too. */
export interface PolicyConditions {
  kinds: string[]
  priorities: string[]
  service_ids: number[]
  category_ids: number[]
  organisations: string[]
}

/** How long one team may hold the ticket (business minutes). */
export interface OlaTarget {
  team_id: number
  minutes: number
}

export type NotifyWhom = 'assignee' | 'team_lead' | 'operations'
export const NOTIFY_WHOM: readonly NotifyWhom[] = ['assignee', 'team_lead', 'operations']
export const ACTION_TYPES = ['notify', 'reassign', 'raise_priority', 'mark_at_risk'] as const
export type ActionType = (typeof ACTION_TYPES)[number]

export type ThresholdAction =
  | { type: 'notify'; to: NotifyWhom }
  | { type: 'reassign'; team_id: number }
  | { type: 'raise_priority' }
  | { type: 'mark_at_risk' }

export interface Threshold {
  /** Of the target's business time, 1–500. */
  percent: number
  actions: ThresholdAction[]
}

export interface SlaPolicy {
  id: number
  name: string
  position: number
  active: boolean
  conditions: PolicyConditions
  calendar_id: number
  /** Business minutes to the first response; null: no target. */
  response_minutes: number | null
  resolution_minutes: number | null
  ola: OlaTarget[]
  pause_reasons: string[]
  thresholds: Threshold[]
  version: number
  created_at: string
  updated_at: string
}

export interface SlaPolicyBody {
  name: string
  active: boolean
  position?: number
  conditions: PolicyConditions
  calendar_id: number
  response_minutes: number | null
  resolution_minutes: number | null
  ola: OlaTarget[]
  pause_reasons: string[]
  thresholds: Threshold[]
}

export type SlaPolicyPatch = Partial<SlaPolicyBody> & { version: number }

export interface PolicySubject {
  kind: string
  priority: string
  service_id?: number
  category_id?: number
  organisation?: string
}

const P = '/api/v1/sla-policies'

export const slaPoliciesApi = {
  list: () => api.get<{ items: SlaPolicy[] }>(P),
  get: (id: number) => api.get<SlaPolicy>(`${P}/${id}`),
  /** A new policy leaves out the targets it does not have (null is for clearing in a PATCH). */
  create: (body: SlaPolicyBody) => {
    const sent: Record<string, unknown> = { ...body }
    if (body.response_minutes === null) delete sent.response_minutes
    if (body.resolution_minutes === null) delete sent.resolution_minutes
    return api.post<SlaPolicy>(P, sent)
  },
  update: (id: number, patch: SlaPolicyPatch) => api.patch<SlaPolicy>(`${P}/${id}`, patch),
  /** The policy a ticket with these attributes gets (null: none). */
  match: (subject: PolicySubject) => api.post<{ policy: SlaPolicy | null }>(`${P}/match`, subject),
}

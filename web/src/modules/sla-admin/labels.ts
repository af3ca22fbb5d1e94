// i18n keys of the SLA pages' fixed vocabularies (listed here so the catalogue check sees them).
import type { Weekday } from '@/api/sla'
import type { DayKind } from './calendarModel'

export const DAY_KEYS: Record<Weekday, string> = {
  mon: 'sla.weekday.mon',
  tue: 'sla.weekday.tue',
  wed: 'sla.weekday.wed',
  thu: 'sla.weekday.thu',
  fri: 'sla.weekday.fri',
  sat: 'sla.weekday.sat',
  sun: 'sla.weekday.sun',
}

export const DAY_SHORT_KEYS: Record<Weekday, string> = {
  mon: 'sla.weekdayShort.mon',
  tue: 'sla.weekdayShort.tue',
  wed: 'sla.weekdayShort.wed',
  thu: 'sla.weekdayShort.thu',
  fri: 'sla.weekdayShort.fri',
  sat: 'sla.weekdayShort.sat',
  sun: 'sla.weekdayShort.sun',
}

/** The legend of the month view. */
export const KIND_KEYS: Record<DayKind, string> = {
  working: 'sla.month.kind.working',
  rest: 'sla.month.kind.rest',
  holiday: 'sla.month.kind.holiday',
  makeup: 'sla.month.kind.makeup',
  override: 'sla.month.kind.override',
}

/** Messages of client-side checks (calendarModel.checkForm codes). */
export const CHECK_KEYS: Record<string, string> = {
  time: 'sla.check.time',
  order: 'sla.check.order',
  overlap: 'sla.check.overlap',
  date: 'sla.check.date',
  dateTwice: 'sla.check.dateTwice',
  required: 'validation.required',
}

/** Ticket kinds an SLA policy may name. */
export const POLICY_KIND_KEYS: Record<string, string> = {
  incident: 'sla.policies.kind.incident',
  request: 'sla.policies.kind.request',
  problem: 'sla.policies.kind.problem',
  change: 'sla.policies.kind.change',
}

/** Units of the response / resolution targets. */
export const UNIT_KEYS: Record<string, string> = {
  minutes: 'sla.policies.unit.minutes',
  hours: 'sla.policies.unit.hours',
  days: 'sla.policies.unit.days',
}

/** Pending reasons that can pause a policy's clock. */
export const PAUSE_REASON_KEYS: Record<string, string> = {
  awaiting_requester: 'sla.policies.pause.awaiting_requester',
  awaiting_vendor: 'sla.policies.pause.awaiting_vendor',
  awaiting_change: 'sla.policies.pause.awaiting_change',
  awaiting_problem: 'sla.policies.pause.awaiting_problem',
}

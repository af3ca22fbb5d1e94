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

// The SLA policy pages' model (no Vue): targets as a number and a unit (minutes, hours,
// business days of 8 h) stored as minutes, the conditions and thresholds in words, the form
// <-> API body, where a server error naming a field goes, and the positions of a reordering.
import type {
  ActionType,
  NotifyWhom,
  OlaTarget,
  PolicyConditions,
  SlaPolicy,
  SlaPolicyBody,
  Threshold,
  ThresholdAction,
} from '@/api/sla'

/** A business day of the targets' "days" unit. */
export const BUSINESS_DAY_MINUTES = 8 * 60

export const TARGET_UNITS = ['minutes', 'hours', 'days'] as const
export type TargetUnit = (typeof TARGET_UNITS)[number]
const FACTOR: Record<TargetUnit, number> = { minutes: 1, hours: 60, days: BUSINESS_DAY_MINUTES }

/** A target as typed: an empty value means no target. */
export interface TargetInput {
  value: number | null
  unit: TargetUnit
}

/** Minutes as the largest unit that holds them exactly: 480 -> 1 day, 90 -> 90 min, 240 -> 4 h. */
export function splitTarget(minutes: number | null | undefined): TargetInput {
  if (minutes === null || minutes === undefined) return { value: null, unit: 'hours' }
  if (minutes > 0 && minutes % BUSINESS_DAY_MINUTES === 0) return { value: minutes / BUSINESS_DAY_MINUTES, unit: 'days' }
  if (minutes > 0 && minutes % 60 === 0) return { value: minutes / 60, unit: 'hours' }
  return { value: minutes, unit: 'minutes' }
}

/** The minutes of a typed target (rounded to whole minutes); null when empty. */
export function targetMinutes(t: TargetInput): number | null {
  if (t.value === null || t.value === undefined || Number.isNaN(t.value)) return null
  return Math.round(t.value * FACTOR[t.unit])
}

/** [hours, minutes] of a duration. */
export function hoursMinutes(total: number): [number, number] {
  return [Math.floor(total / 60), total % 60]
}

type T = (key: string, values?: Record<string, unknown>) => string

/** "15 min", "4 h", "1 h 30 min"; null: the "no target" text. */
export function formatDuration(t: T, minutes: number | null): string {
  if (minutes === null) return t('sla.policies.noTarget')
  const [h, m] = hoursMinutes(minutes)
  if (h && m) return t('sla.policies.duration.hm', { h, m })
  if (h) return t('sla.policies.duration.h', { h })
  return t('sla.policies.duration.m', { m })
}

/** "A, B or C" in the UI language (Intl.ListFormat; a plain join where it is missing). */
export function listText(locale: string, items: string[], type: 'conjunction' | 'disjunction'): string {
  try {
    return new Intl.ListFormat(locale, { type, style: 'long' }).format(items)
  } catch {
    return items.join(', ')
  }
}

export interface SummaryLabels {
  t: T
  locale: string
  kind: (k: string) => string
  category: (id: number) => string
}

/**
 * The conditions in words: "Incident or Service request, priority P2, in Network, for ACME";
 * empty lists match anything, so no conditions at all is "Any ticket".
 */
export function conditionsSummary(c: PolicyConditions, l: SummaryLabels): string {
  const or = (xs: string[]) => listText(l.locale, xs, 'disjunction')
  const parts: string[] = []
  parts.push(c.kinds.length ? or(c.kinds.map(l.kind)) : l.t('sla.policies.sum.anyTicket'))
  if (c.priorities.length) parts.push(l.t('sla.policies.sum.priorities', { list: or(c.priorities) }))
  if (c.category_ids.length) parts.push(l.t('sla.policies.sum.categories', { list: or(c.category_ids.map(l.category)) }))
  if (c.service_ids.length) parts.push(l.t('sla.policies.sum.services', { list: or(c.service_ids.map((s) => `#${s}`)) }))
  if (c.organisations.length) parts.push(l.t('sla.policies.sum.organisations', { list: or(c.organisations) }))
  return parts.join(l.t('sla.policies.sum.separator'))
}

/** i18n keys of the action types and of whom a notification goes to. */
export const ACTION_KEYS: Record<ActionType, string> = {
  notify: 'sla.policies.action.notify',
  reassign: 'sla.policies.action.reassign',
  raise_priority: 'sla.policies.action.raise_priority',
  mark_at_risk: 'sla.policies.action.mark_at_risk',
}
export const WHOM_KEYS: Record<NotifyWhom, string> = {
  assignee: 'sla.policies.whom.assignee',
  team_lead: 'sla.policies.whom.team_lead',
  operations: 'sla.policies.whom.operations',
}

/** One action in words: "Notify the team lead", "Reassign to Network Operations". */
export function actionText(t: T, a: ThresholdAction, teamName: (id: number) => string): string {
  switch (a.type) {
    case 'notify':
      return t('sla.policies.actionText.notify', { whom: WHOM_KEYS[a.to] ? t(WHOM_KEYS[a.to]) : a.to })
    case 'reassign':
      return t('sla.policies.actionText.reassign', { team: teamName(a.team_id) })
    case 'raise_priority':
      return t('sla.policies.actionText.raise_priority')
    case 'mark_at_risk':
      return t('sla.policies.actionText.mark_at_risk')
    default:
      return String((a as { type: string }).type)
  }
}

/** A threshold chip: "50 %: Notify the assignee and Notify the team lead". */
export function thresholdText(t: T, locale: string, th: Threshold, teamName: (id: number) => string): string {
  const actions = th.actions.length
    ? listText(locale, th.actions.map((a) => actionText(t, a, teamName)), 'conjunction')
    : t('sla.policies.noActions')
  return t('sla.policies.chip', { percent: th.percent, actions })
}

const SHORT_WHOM_KEYS: Record<NotifyWhom, string> = {
  assignee: 'sla.policies.short.assignee',
  team_lead: 'sla.policies.short.team_lead',
  operations: 'sla.policies.short.operations',
}

/** An action in one or two words for a chip: "Team lead", "→ Network Ops", "At risk". */
export function actionShort(t: T, a: ThresholdAction, teamName: (id: number) => string): string {
  switch (a.type) {
    case 'notify':
      return SHORT_WHOM_KEYS[a.to] ? t(SHORT_WHOM_KEYS[a.to]) : a.to
    case 'reassign':
      return t('sla.policies.short.reassign', { team: teamName(a.team_id) })
    case 'raise_priority':
      return t('sla.policies.short.raise_priority')
    case 'mark_at_risk':
      return t('sla.policies.short.mark_at_risk')
    default:
      return String((a as { type: string }).type)
  }
}

/** A threshold chip: "50 %: Assignee, Team lead" (the full sentence goes in its tooltip). */
export function thresholdChip(t: T, th: Threshold, teamName: (id: number) => string): string {
  if (!th.actions.length) return t('sla.policies.chipEmpty', { percent: th.percent })
  const actions = th.actions.map((a) => actionShort(t, a, teamName)).join(t('sla.policies.sum.separator'))
  return t('sla.policies.chipShort', { percent: th.percent, actions })
}

// ---- The form ----

export interface ActionRow {
  type: ActionType
  to: NotifyWhom
  team_id: number | null
}
export interface ThresholdRow {
  percent: number | null
  actions: ActionRow[]
}
export interface OlaRow {
  team_id: number | null
  minutes: number | null
}

export interface PolicyForm {
  name: string
  active: boolean
  kinds: string[]
  priorities: string[]
  category_ids: number[]
  /** Typed as tags; whole numbers only. */
  service_ids: string[]
  organisations: string[]
  calendar_id: number | null
  response: TargetInput
  resolution: TargetInput
  ola: OlaRow[]
  pause_reasons: string[]
  thresholds: ThresholdRow[]
}

export function actionRow(a?: ThresholdAction): ActionRow {
  if (!a) return { type: 'notify', to: 'assignee', team_id: null }
  return {
    type: a.type,
    to: a.type === 'notify' ? a.to : 'assignee',
    team_id: a.type === 'reassign' ? a.team_id : null,
  }
}

/** The form of a policy, or of a new one (the server's default pause reasons and thresholds). */
export function policyForm(p: SlaPolicy | null, defaultCalendar: number | null = null): PolicyForm {
  if (!p) {
    return {
      name: '',
      active: true,
      kinds: [],
      priorities: [],
      category_ids: [],
      service_ids: [],
      organisations: [],
      calendar_id: defaultCalendar,
      response: { value: null, unit: 'hours' },
      resolution: { value: null, unit: 'hours' },
      ola: [],
      pause_reasons: ['awaiting_requester', 'awaiting_vendor'],
      thresholds: [
        { percent: 50, actions: [actionRow({ type: 'notify', to: 'assignee' })] },
        { percent: 75, actions: [actionRow({ type: 'notify', to: 'team_lead' })] },
        { percent: 100, actions: [actionRow({ type: 'notify', to: 'operations' })] },
      ],
    }
  }
  const c = p.conditions
  return {
    name: p.name,
    active: p.active,
    kinds: [...c.kinds],
    priorities: [...c.priorities],
    category_ids: [...c.category_ids],
    service_ids: c.service_ids.map(String),
    organisations: [...c.organisations],
    calendar_id: p.calendar_id,
    response: splitTarget(p.response_minutes),
    resolution: splitTarget(p.resolution_minutes),
    ola: p.ola.map((o) => ({ team_id: o.team_id, minutes: o.minutes })),
    pause_reasons: [...p.pause_reasons],
    thresholds: p.thresholds.map((th) => ({ percent: th.percent, actions: th.actions.map(actionRow) })),
  }
}

function toAction(a: ActionRow): ThresholdAction {
  switch (a.type) {
    case 'notify':
      return { type: 'notify', to: a.to }
    case 'reassign':
      return { type: 'reassign', team_id: a.team_id as number }
    default:
      return { type: a.type }
  }
}

/** Whole positive numbers of the service-id tags ("12" yes, "x" and "1.5" no). */
export const isServiceId = (s: string) => /^\s*[1-9]\d{0,15}\s*$/.test(s)

/** The API body of the form (a target left empty is null: no target). */
export function policyBody(f: PolicyForm): SlaPolicyBody {
  return {
    name: f.name.trim(),
    active: f.active,
    conditions: {
      kinds: [...f.kinds],
      priorities: [...f.priorities],
      service_ids: f.service_ids.filter(isServiceId).map((s) => Number(s.trim())),
      category_ids: [...f.category_ids],
      organisations: f.organisations.map((o) => o.trim()).filter((o) => o),
    },
    calendar_id: f.calendar_id as number,
    response_minutes: targetMinutes(f.response),
    resolution_minutes: targetMinutes(f.resolution),
    ola: f.ola.map((o): OlaTarget => ({ team_id: o.team_id as number, minutes: o.minutes as number })),
    pause_reasons: [...f.pause_reasons],
    thresholds: f.thresholds.map((th) => ({ percent: th.percent as number, actions: th.actions.map(toAction) })),
  }
}

export interface FormProblem {
  /** A place as policyErrorPlace returns it. */
  place: string
  /** i18n key of the message. */
  key: string
}

/** What the browser checks before sending (the server checks everything again). */
export function checkPolicyForm(f: PolicyForm): FormProblem[] {
  const out: FormProblem[] = []
  if (!f.name.trim()) out.push({ place: 'name', key: 'validation.required' })
  if (f.calendar_id === null) out.push({ place: 'calendar_id', key: 'sla.policies.check.calendar' })
  if (f.service_ids.some((s) => !isServiceId(s))) out.push({ place: 'conditions.service_ids', key: 'sla.policies.check.serviceIds' })
  f.ola.forEach((o, i) => {
    if (o.team_id === null || o.minutes === null) out.push({ place: `ola.${i}`, key: 'sla.policies.check.olaRow' })
  })
  f.thresholds.forEach((th, i) => {
    if (th.percent === null) out.push({ place: `thresholds.${i}`, key: 'sla.policies.check.percent' })
    else if (th.actions.some((a) => a.type === 'reassign' && a.team_id === null))
      out.push({ place: `thresholds.${i}`, key: 'sla.policies.check.reassignTeam' })
  })
  return out
}

const PLAIN = ['name', 'active', 'calendar_id', 'response_minutes', 'resolution_minutes', 'pause_reasons']

/**
 * Where a server error naming `field` is shown: "conditions.priorities[0]" ->
 * "conditions.priorities", "thresholds[1].percent" and "thresholds[1].actions[0].team_id" ->
 * "thresholds.1" (the row), "ola[0].team_id" -> "ola.0", "pause_reasons[2]" ->
 * "pause_reasons"; null for fields the form does not have.
 */
export function policyErrorPlace(field: string): string | null {
  let m = /^conditions\.(kinds|priorities|service_ids|category_ids|organisations)(\[\d+\])?$/.exec(field)
  if (m) return `conditions.${m[1]}`
  m = /^(ola|thresholds)\[(\d+)\]/.exec(field)
  if (m) return `${m[1]}.${m[2]}`
  m = /^(pause_reasons)\[\d+\]$/.exec(field)
  if (m) return m[1]
  if (field === 'conditions' || field === 'ola' || field === 'thresholds' || PLAIN.includes(field)) return field
  return null
}

// Reordering lives in utils/reorder (assignment rules use it too).
export { reorder } from '@/utils/reorder'

// The change pages' logic without Vue: planned times as wall times in the user's zone, what a
// transition requires and whether the change has it, who may take a transition (roles), the
// approval steps (progress by rule, whether the caller is awaited), conflicts, the state path.
import type { Approval, ApprovalStep, ChangeDetail, ChangeInfo, Conflict } from '@/api/changes'
import { formatDateTime, zonedIso } from '@/utils/datetime'

// ---- times -------------------------------------------------------------------------------

/** "YYYY-MM-DD HH:mm" in `zone` (the date picker's value) from an ISO time; '' for none. */
export function isoToWall(iso: string | null | undefined, zone: string): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d)
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00'
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}

/** The UTC ISO time ("…Z") of a wall time "YYYY-MM-DD HH:mm" in `zone`; null for ''. */
export function wallToIso(wall: string | null | undefined, zone: string): string | null {
  if (!wall) return null
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d)/.exec(wall)
  if (!m) return null
  return new Date(zonedIso(m[1], `${m[2]}:00`, zone)).toISOString().replace('.000Z', 'Z')
}

/** Whether two times (ISO or null) are the same instant, to the minute. */
export function sameInstant(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b
  return Math.floor(Date.parse(a) / 60000) === Math.floor(Date.parse(b) / 60000)
}

/** A wall time plus minutes (standard changes: end = start + the template's duration). */
export function addMinutesWall(wall: string, minutes: number, zone: string): string {
  const iso = wallToIso(wall, zone)
  if (!iso) return ''
  return isoToWall(new Date(new Date(iso).getTime() + minutes * 60000).toISOString(), zone)
}

/** "2026-03-07 22:00 – 23:30" (the end's date left out on the same day) in the user's zone. */
export function windowText(start: string | null | undefined, end: string | null | undefined, locale: string, zone: string): string {
  if (!start && !end) return ''
  const s = formatDateTime(start, locale, zone)
  if (!end) return s
  const sameDay = start && formatDateTime(start, locale, zone, 'date') === formatDateTime(end, locale, zone, 'date')
  return `${s} – ${sameDay ? formatDateTime(end, locale, zone, 'time') : formatDateTime(end, locale, zone)}`
}

// ---- transitions -------------------------------------------------------------------------

/** Fields the transition body carries (typed in the dialog). */
export const BODY_FIELDS = ['cancel_reason', 'reopen_reason', 'resolution_notes', 'resolution_code', 'pending_reason', 'assignee_team_id'] as const

/** Fields that must already be on the change record (filled on its tabs). */
export const RECORD_FIELDS = [
  'implementation_plan', 'backout_plan', 'test_plan', 'planned_start', 'planned_end', 'ci_ids', 'risk_assessment', 'review_outcome', 'reason',
] as const

export function isBodyField(f: string): boolean {
  return (BODY_FIELDS as readonly string[]).includes(f)
}

/** Whether the change has a required record field (unknown fields count as present). */
export function hasRecordField(ch: ChangeInfo, field: string): boolean {
  switch (field) {
    case 'implementation_plan':
    case 'backout_plan':
    case 'test_plan':
    case 'reason':
      return !!ch[field]?.trim()
    case 'planned_start':
    case 'planned_end':
      return !!ch[field]
    case 'ci_ids':
      return (ch.ci_ids?.length ?? 0) > 0
    case 'risk_assessment':
      return !!ch.risk
    case 'review_outcome':
      return !!ch.review?.outcome
    default:
      return true
  }
}

export interface Requirement {
  field: string
  met: boolean
}

/** The record fields a transition needs, each with whether the change has it. */
export function recordRequirements(required: string[], ch: ChangeInfo): Requirement[] {
  return required.filter((f) => !isBodyField(f)).map((field) => ({ field, met: hasRecordField(ch, field) }))
}

/** The tab where a missing record field is filled in. */
export function tabOfField(field: string): 'plan' | 'risk' | 'review' {
  if (field === 'risk_assessment') return 'risk'
  if (field === 'review_outcome') return 'review'
  return 'plan'
}

export interface Caller {
  id: number
  roles: string[]
  team_ids: number[]
}

/**
 * Whether the caller holds one of a transition's roles: none listed = any agent; "implementer"
 * = a member of the change's implementer (assignee) team; "change_manager" = a member of the CAB
 * team; admins hold every role.
 */
export function holdsRole(roles: string[] | undefined, caller: Caller, ticket: Pick<ChangeDetail, 'assignee_team_id'>, cabTeamId: number | null | undefined): boolean {
  if (!roles || roles.length === 0) return true
  if (caller.roles.includes('admin')) return true
  return roles.some((r) => {
    if (r === 'implementer') return ticket.assignee_team_id !== null && caller.team_ids.includes(ticket.assignee_team_id)
    if (r === 'change_manager') return !!cabTeamId && caller.team_ids.includes(cabTeamId)
    return false
  })
}

export function isCabMember(caller: Caller, cabTeamId: number | null | undefined): boolean {
  return caller.roles.includes('admin') || (!!cabTeamId && caller.team_ids.includes(cabTeamId))
}

/** Whether plans, times and CIs may still be edited (new and assess only). */
export function planEditable(status: string): boolean {
  return status === 'new' || status === 'assess'
}

/** The main path of a change type, for the progress steps (cancelled and failed are shown aside). */
export function statePath(type: string): string[] {
  if (type === 'standard') return ['new', 'scheduled', 'implement', 'review', 'closed']
  if (type === 'emergency') return ['new', 'authorise', 'scheduled', 'implement', 'review', 'closed']
  return ['new', 'assess', 'authorise', 'scheduled', 'implement', 'review', 'closed']
}

/** The index of the path step the status stands at (failed counts as implement). */
export function pathIndex(type: string, status: string): number {
  const path = statePath(type)
  const s = status === 'failed' ? 'implement' : status
  return path.indexOf(s)
}

// ---- approvals ---------------------------------------------------------------------------

/** How many approvals a step needs: any = 1, all = every approver, majority = more than half. */
export function approvalsNeeded(step: Pick<ApprovalStep, 'rule' | 'approvers'>): number {
  const n = step.approvers.length
  if (step.rule === 'all') return n
  if (step.rule === 'majority') return Math.floor(n / 2) + 1
  return Math.min(1, n)
}

export function approvalsGiven(step: Pick<ApprovalStep, 'decisions'>): number {
  return step.decisions.filter((d) => d.verdict === 'approve').length
}

/**
 * The step waiting for decisions now: while the approval is pending, the first step not decided
 * (steps are decided one after another; a step's state is pending, approved or rejected).
 */
export function openStep(approval: Approval | null | undefined): ApprovalStep | null {
  if (!approval || approval.state !== 'pending') return null
  return approval.steps.find((s) => s.state === 'pending' || s.state === 'open') ?? null
}

/** A step's display state: the open one is "open", later undecided ones "waiting". */
export function stepDisplayState(approval: Approval, step: ApprovalStep): 'open' | 'waiting' | 'approved' | 'rejected' {
  if (step.state === 'approved' || step.state === 'rejected') return step.state
  return openStep(approval) === step ? 'open' : 'waiting'
}

/** Whether the open step awaits the caller's decision. */
export function awaitsMe(approval: Approval | null | undefined, userId: number): boolean {
  const step = openStep(approval)
  return !!step && step.awaiting.includes(userId)
}

/** Each approver of a step with their decision (if any) and whether they are still awaited. */
export function approverRows(step: ApprovalStep) {
  return step.approvers.map((a) => {
    const decision = [...step.decisions].reverse().find((d) => d.user_id === a.id) ?? null
    return { id: a.id, name: a.name, decision, awaited: step.awaiting.includes(a.id) }
  })
}

// ---- conflicts ---------------------------------------------------------------------------

/** Conflicts in a stable order: overlaps first, then freeze windows, then maintenance windows. */
export function sortConflicts(cs: Conflict[]): Conflict[] {
  const rank: Record<string, number> = { change_overlap: 0, freeze_window: 1, outside_maintenance_window: 2 }
  return [...cs].sort((a, b) => (rank[a.kind] ?? 9) - (rank[b.kind] ?? 9) || a.with.localeCompare(b.with))
}

/** Whether `with` names another change (a link) rather than a window. */
export function conflictChange(c: Conflict): string | null {
  return /^CHG-\d+$/i.test(c.with) ? c.with.toUpperCase() : null
}

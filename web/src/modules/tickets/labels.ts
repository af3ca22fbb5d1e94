// i18n keys and colours of the service desk's enumerations. The keys are written out (not
// built from the value) so tests/i18n.spec.ts sees each of them used.

type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

export const STATUS_KEYS: Record<string, string> = {
  new: 'tickets.status.new',
  assigned: 'tickets.status.assigned',
  in_progress: 'tickets.status.in_progress',
  pending: 'tickets.status.pending',
  resolved: 'tickets.status.resolved',
  fulfilled: 'tickets.status.fulfilled',
  reopened: 'tickets.status.reopened',
  closed: 'tickets.status.closed',
  cancelled: 'tickets.status.cancelled',
  // problems
  assessed: 'tickets.status.assessed',
  root_cause_analysis: 'tickets.status.root_cause_analysis',
  fix_in_progress: 'tickets.status.fix_in_progress',
  // changes
  assess: 'tickets.status.assess',
  authorise: 'tickets.status.authorise',
  scheduled: 'tickets.status.scheduled',
  implement: 'tickets.status.implement',
  review: 'tickets.status.review',
  failed: 'tickets.status.failed',
}

/** Button texts of the transitions to each state ("Start work", "Resolve", ...). */
export const TRANSITION_KEYS: Record<string, string> = {
  new: 'tickets.transition.new',
  assigned: 'tickets.transition.assigned',
  in_progress: 'tickets.transition.in_progress',
  pending: 'tickets.transition.pending',
  resolved: 'tickets.transition.resolved',
  fulfilled: 'tickets.transition.fulfilled',
  reopened: 'tickets.transition.reopened',
  closed: 'tickets.transition.closed',
  cancelled: 'tickets.transition.cancelled',
}

/** Colours by state: open work blue/orange, waiting grey, done green, reopened red. */
export const STATUS_COLORS: Record<string, string> = {
  new: '#2f6fed',
  assigned: '#6a5acd',
  in_progress: '#e6a23c',
  pending: '#909399',
  resolved: '#67c23a',
  fulfilled: '#67c23a',
  reopened: '#f56c6c',
  closed: '#7a8599',
  cancelled: '#b1b6c0',
  assessed: '#6a5acd',
  root_cause_analysis: '#e6a23c',
  fix_in_progress: '#e6a23c',
  assess: '#6a5acd',
  authorise: '#9b59b6',
  scheduled: '#2f6fed',
  implement: '#e6a23c',
  review: '#67c23a',
  failed: '#f56c6c',
}

export const PRIORITY_KEYS: Record<string, string> = {
  P1: 'tickets.priority.P1',
  P2: 'tickets.priority.P2',
  P3: 'tickets.priority.P3',
  P4: 'tickets.priority.P4',
  P5: 'tickets.priority.P5',
}

export const PRIORITY_COLORS: Record<string, string> = {
  P1: '#d93026',
  P2: '#f0772c',
  P3: '#e6a23c',
  P4: '#2f6fed',
  P5: '#8a919f',
}

export const PRIORITY_TAGS: Record<string, TagType> = {
  P1: 'danger',
  P2: 'warning',
  P3: 'warning',
  P4: 'primary',
  P5: 'info',
}

export const KIND_KEYS: Record<string, string> = {
  incident: 'tickets.kind.incident',
  request: 'tickets.kind.request',
  problem: 'tickets.kind.problem',
  change: 'tickets.kind.change',
}

export const CHANNEL_KEYS: Record<string, string> = {
  web: 'tickets.channel.web',
  email: 'tickets.channel.email',
  phone: 'tickets.channel.phone',
  api: 'tickets.channel.api',
  monitoring: 'tickets.channel.monitoring',
}

export const PENDING_REASON_KEYS: Record<string, string> = {
  awaiting_requester: 'tickets.pendingReason.awaiting_requester',
  awaiting_vendor: 'tickets.pendingReason.awaiting_vendor',
  awaiting_change: 'tickets.pendingReason.awaiting_change',
  awaiting_problem: 'tickets.pendingReason.awaiting_problem',
}

export const RESOLUTION_KEYS: Record<string, string> = {
  fixed: 'tickets.resolution.fixed',
  workaround: 'tickets.resolution.workaround',
  no_fault_found: 'tickets.resolution.no_fault_found',
  duplicate: 'tickets.resolution.duplicate',
  user_error: 'tickets.resolution.user_error',
  third_party: 'tickets.resolution.third_party',
  other: 'tickets.resolution.other',
}

export const LINK_TYPE_KEYS: Record<string, string> = {
  parent_of: 'tickets.linkType.parent_of',
  child_of: 'tickets.linkType.child_of',
  duplicate_of: 'tickets.linkType.duplicate_of',
  duplicated_by: 'tickets.linkType.duplicated_by',
  related_to: 'tickets.linkType.related_to',
  caused_by: 'tickets.linkType.caused_by',
  causes: 'tickets.linkType.causes',
}

/** Timeline actions (events.action). */
export const ACTION_KEYS: Record<string, string> = {
  'ticket.create': 'tickets.action.create',
  'ticket.update': 'tickets.action.update',
  'ticket.transition': 'tickets.action.transition',
  'ticket.comment': 'tickets.action.comment',
  'ticket.worklog': 'tickets.action.worklog',
  'ticket.attachment': 'tickets.action.attachment',
  'ticket.link': 'tickets.action.link',
  'ticket.unlink': 'tickets.action.unlink',
  'ticket.escalate': 'tickets.action.escalate',
  'ticket.survey': 'tickets.action.survey',
  'ticket.sla': 'slaEvents.action',
}

/** Ticket fields as the timeline names them. */
export const FIELD_KEYS: Record<string, string> = {
  kind: 'tickets.field.kind',
  title: 'tickets.field.title',
  description: 'tickets.field.description',
  status: 'tickets.field.status',
  impact: 'tickets.field.impact',
  urgency: 'tickets.field.urgency',
  priority: 'tickets.field.priority',
  priority_overridden: 'tickets.field.priority_overridden',
  major: 'tickets.field.major',
  major_cadence_minutes: 'tickets.field.major_cadence_minutes',
  major_stakeholder_ids: 'tickets.field.major_stakeholder_ids',
  category_id: 'tickets.field.category_id',
  requester_id: 'tickets.field.requester_id',
  channel: 'tickets.field.channel',
  service_id: 'tickets.field.service_id',
  ci_id: 'tickets.field.ci_id',
  assignee_team_id: 'tickets.field.assignee_team_id',
  assignee_id: 'tickets.field.assignee_id',
  pending_reason: 'tickets.field.pending_reason',
  resolution_code: 'tickets.field.resolution_code',
  resolution_notes: 'tickets.field.resolution_notes',
  cancel_reason: 'tickets.field.cancel_reason',
  reopen_reason: 'tickets.field.reopen_reason',
  escalation_level: 'tickets.field.escalation_level',
}

/** Labels of impact and urgency levels when the matrix has three (high, medium, low). */
export const LEVEL3_KEYS = ['tickets.level.high', 'tickets.level.medium', 'tickets.level.low']

/** Translates `value` with `table`, falling back to the value itself. */
export function labelOf(t: (k: string) => string, table: Record<string, string>, value: string | null | undefined): string {
  if (!value) return ''
  const k = table[value]
  return k ? t(k) : value
}

/** "1 h 30 min" from minutes. */
export function formatMinutes(t: (k: string, p?: Record<string, unknown>) => string, minutes: number): string {
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h && m) return t('tickets.duration.hm', { h, m })
  if (h) return t('tickets.duration.h', { h })
  return t('tickets.duration.m', { m })
}

/**
 * A search snippet as plain text parts: the server HTML-escapes the text and wraps matches in
 * <mark>…</mark>; we render the parts as text (never as HTML), marking the matched ones.
 */
export function snippetParts(snippet: string): { text: string; mark: boolean }[] {
  const out: { text: string; mark: boolean }[] = []
  let mark = false
  for (const piece of snippet.split(/(<mark>|<\/mark>)/)) {
    if (piece === '<mark>') mark = true
    else if (piece === '</mark>') mark = false
    else if (piece) out.push({ text: unescapeHtml(piece), mark })
  }
  return out
}

function unescapeHtml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, (_, e: string) =>
    ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" })[e] ?? _,
  )
}

/** What a bulk action on selected tickets changes. */
export type BulkMode = 'status' | 'assign' | 'priority'

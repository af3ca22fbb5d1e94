// Service desk: tickets (incidents, service requests) and their configuration, as served by
// src/api/ticket_routes.cpp and src/api/ticket_config_routes.cpp.
import { api } from './client'
import type { Page } from './types'

export const TICKET_KINDS = ['incident', 'request'] as const
export type TicketKind = (typeof TICKET_KINDS)[number]

export const CHANNELS = ['web', 'email', 'phone', 'api', 'monitoring'] as const
export type Channel = (typeof CHANNELS)[number]

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const
export type Priority = (typeof PRIORITIES)[number]

/** Every state of both workflows (incident and service request). */
export const TICKET_STATES = [
  'new', 'assigned', 'in_progress', 'pending', 'resolved', 'fulfilled', 'reopened', 'closed', 'cancelled',
] as const
export type TicketState = (typeof TICKET_STATES)[number]

/** States after which nothing happens any more. */
export const FINAL_STATES: readonly string[] = ['closed', 'cancelled']

/** Link types as the API accepts them (`POST .../links {type, to}`). */
export const LINK_TYPES = ['parent_of', 'child_of', 'duplicate_of', 'duplicated_by', 'related_to', 'caused_by', 'causes'] as const
export type LinkType = (typeof LINK_TYPES)[number]

export interface AllowedTransition {
  to: string
  /** pending_reason, resolution_code, resolution_notes, cancel_reason, reopen_reason, assignee_team_id */
  required_fields: string[]
  /** Problems and changes: who may take it ([] = any agent; "implementer", "change_manager"). */
  roles?: string[]
}

export interface Ticket {
  id: number
  number: string
  kind: TicketKind
  title: string
  description: string
  status: string
  impact: number
  urgency: number
  priority: string
  priority_overridden: boolean
  major: boolean
  major_cadence_minutes: number | null
  major_stakeholder_ids: number[]
  major_declared_at: string | null
  major_next_update_due: string | null
  category_id: number | null
  restricted: boolean
  requester_id: number
  channel: string
  service_id: number | null
  ci_id: number | null
  assignee_team_id: number | null
  assignee_id: number | null
  pending_reason: string
  resolution_code: string
  resolution_notes: string
  cancel_reason: string
  reopen_count: number
  reassignment_count: number
  escalation_level: number
  first_contact_resolution: boolean | null
  created_by: number | null
  created_at: string
  updated_at: string
  first_assigned_at: string | null
  resolved_at: string | null
  closed_at: string | null
  version: number
  /** In single-ticket answers (GET, PATCH, transitions, create), not in lists. */
  allowed_transitions?: AllowedTransition[]
  /**
   * The SLA tracker's last evaluation (issue #5): null without a policy or before the first
   * evaluation (about a second after a change); POST/PATCH answers may carry the previous one.
   */
  sla?: TicketSlaSummary | null
}

/** The SLA flag of a ticket: no metric breached / marked at risk by a threshold / breached. */
export const SLA_FLAGS = ['ok', 'at_risk', 'breached'] as const
export type SlaFlag = (typeof SLA_FLAGS)[number]

/** One metric of a ticket's SLA summary; state running | paused | met | breached | cancelled. */
export interface TicketSlaMetricSummary {
  state: string
  /** While running: when the target is reached (UTC). */
  due_at: string | null
  breached_at: string | null
}

/** The "sla" of a ticket in ticket answers, lists and search hits. */
export interface TicketSlaSummary {
  flag: SlaFlag | string
  /** The earliest due time of the running metrics; null when none runs. */
  due_at: string | null
  policy_id: number
  /** null: the policy has no such target. */
  response: TicketSlaMetricSummary | null
  resolution: TicketSlaMetricSummary | null
  evaluated_at: string
}

export interface SurveyAnswer {
  rating: number
  comment: string
  created_at: string
}

/** GET /api/v1/tickets/{number}: the ticket with names and the survey answer. */
export interface TicketDetail extends Ticket {
  allowed_transitions: AllowedTransition[]
  requester_name: string
  assignee_name: string
  team_name: string
  team_name_zh: string
  category_name: string
  category_name_zh: string
  survey: SurveyAnswer | null
  survey_pending: boolean
}

export interface TicketQuery {
  kind?: string
  /** Comma-separated lists. */
  status?: string
  priority?: string
  channel?: string
  /** An id, or "none"; assignee_id and requester_id also take "me". */
  team_id?: string | number
  assignee_id?: string | number
  requester_id?: string | number
  /** An id (its subcategories included), or "none". */
  category_id?: number | string
  /** An id, or "none". */
  service_id?: number | string
  /** Tickets affecting this CI: its own and those on any CI it depends on (the CMDB). */
  affects_service?: number
  major?: boolean
  open?: boolean
  created_from?: string
  created_to?: string
  updated_from?: string
  updated_to?: string
  q?: string
  /** Open tickets whose SLA flag is at_risk, breached, or either (attention). */
  sla?: string
  /** With sla_outcome: the tickets whose metric was met / breached in [sla_from, sla_to). */
  sla_metric?: string
  sla_outcome?: string
  sla_from?: string
  sla_to?: string
  /**
   * -id (default), id, -created_at, created_at, -updated_at, updated_at, priority, -priority,
   * sla_due, -sla_due (by the SLA due time, tickets without one last)
   */
  sort?: string
  limit?: number
  cursor?: string | null
}

export interface NewTicketBody {
  kind?: TicketKind
  title: string
  description?: string
  impact?: number
  urgency?: number
  channel?: string
  category_id?: number | null
  requester_id?: number
  assignee_team_id?: number | null
  assignee_id?: number | null
}

export interface TicketPatchBody {
  version: number
  title?: string
  description?: string
  channel?: string
  impact?: number
  urgency?: number
  priority?: string
  priority_reason?: string
  category_id?: number | null
  assignee_team_id?: number | null
  assignee_id?: number | null
  requester_id?: number
  major?: boolean
  major_cadence_minutes?: number
  major_stakeholder_ids?: number[]
  note?: string
}

export interface TransitionBody {
  to: string
  version?: number
  pending_reason?: string
  resolution_code?: string
  resolution_notes?: string
  cancel_reason?: string
  reopen_reason?: string
  assignee_team_id?: number
  assignee_id?: number
}

export interface BulkSet {
  status?: string
  pending_reason?: string
  resolution_code?: string
  resolution_notes?: string
  cancel_reason?: string
  assignee_team_id?: number | null
  assignee_id?: number | null
  priority?: string
  priority_reason?: string
}

export interface BulkResult {
  number: string
  ok: boolean
  status?: string
  version?: number
  error?: { code: string; message: string; field?: string }
}

export interface FieldChange {
  field: string
  from: unknown
  to: unknown
}

export interface TimelineEntry {
  id: number
  at: string
  actor_id: number | null
  actor_name: string
  /** ticket.create, ticket.update, ticket.transition, ticket.comment, ticket.worklog, ... */
  action: string
  changes: FieldChange[]
  detail: Record<string, unknown> | null
}

export interface TicketComment {
  id: number
  author_id: number | null
  body: string
  public: boolean
  created_at: string
}

export interface Worklog {
  id: number
  user_id: number
  minutes: number
  note: string
  worked_at: string
  created_at: string
}

export interface WorklogSummary {
  items: Worklog[]
  total_minutes: number
  by_person: { user_id: number; minutes: number }[]
}

export interface Attachment {
  id: number
  sha256: string
  filename: string
  content_type: string
  size: number
  public: boolean
  uploaded_by: number | null
  created_at: string
  /** Download URL (Content-Disposition: attachment). */
  url: string
}

export interface TicketLink {
  id: number
  type: string
  number: string
  title: string
  status: string
  created_at: string
}

export interface SearchHit {
  type: 'ticket'
  number: string
  title: string
  status: string
  priority: string
  kind: string
  updated_at: string
  /** HTML-escaped by the server except for <mark>…</mark> around the matches. */
  snippet: string
  score: number
  sla?: TicketSlaSummary | null
}

export interface SavedView {
  id: number
  name: string
  query: Record<string, string>
  created_at: string
}

export interface Category {
  id: number
  parent_id: number | null
  code: string
  name: string
  name_zh: string
  security: boolean
  active: boolean
  sort_order: number
  version: number
}

export interface PriorityMatrix {
  impact_levels: number
  urgency_levels: number
  /** Row-major by impact: cells[(impact - 1) * urgency_levels + (urgency - 1)]. */
  cells: string[]
  version: number
}

export interface WorkflowTransition {
  from: string
  to: string
  required_fields: string[]
  requester_may: boolean
}

export interface Workflow {
  kind: string
  initial: string
  states: string[]
  final_states: string[]
  transitions: WorkflowTransition[]
}

export interface Workflows {
  items: Workflow[]
  pending_reasons: string[]
  resolution_codes: string[]
}

export interface Items<T> {
  items: T[]
}

const t = (number: string) => `/api/v1/tickets/${encodeURIComponent(number)}`

export const ticketsApi = {
  list: (q: TicketQuery) => api.get<Page<Ticket>>('/api/v1/tickets', { ...q }),
  get: (number: string) => api.get<TicketDetail>(t(number)),
  create: (body: NewTicketBody) => api.post<Ticket>('/api/v1/tickets', body),
  update: (number: string, body: TicketPatchBody) => api.patch<Ticket>(t(number), body),
  transition: (number: string, body: TransitionBody) => api.post<Ticket>(`${t(number)}/transitions`, body),
  bulk: (numbers: string[], set: BulkSet) =>
    api.post<{ results: BulkResult[] }>('/api/v1/tickets/bulk', { numbers, set }),
  timeline: (number: string) => api.get<Items<TimelineEntry>>(`${t(number)}/timeline`),
  comments: (number: string) => api.get<Items<TicketComment>>(`${t(number)}/comments`),
  addComment: (number: string, body: string, isPublic: boolean) =>
    api.post<TicketComment>(`${t(number)}/comments`, { body, public: isPublic }),
  worklogs: (number: string) => api.get<WorklogSummary>(`${t(number)}/worklogs`),
  addWorklog: (number: string, body: { minutes: number; note?: string; worked_at?: string }) =>
    api.post<Worklog>(`${t(number)}/worklogs`, body),
  attachments: (number: string) => api.get<Items<Attachment>>(`${t(number)}/attachments`),
  upload: (number: string, files: File[], isPublic = true) => {
    const form = new FormData()
    form.append('public', isPublic ? 'true' : 'false')
    for (const f of files) form.append('file', f, f.name)
    return api.upload<Items<Attachment>>(`${t(number)}/attachments`, form)
  },
  links: (number: string) => api.get<Items<TicketLink>>(`${t(number)}/links`),
  addLink: (number: string, type: string, to: string) => api.post<TicketLink>(`${t(number)}/links`, { type, to }),
  removeLink: (number: string, id: number) => api.del<void>(`${t(number)}/links/${id}`),
  escalate: (number: string, body: { type: 'functional' | 'hierarchical'; team_id?: number; assignee_id?: number; note: string }) =>
    api.post<Ticket>(`${t(number)}/escalations`, body),
  answerSurvey: (number: string, rating: number, comment: string) =>
    api.post<SurveyAnswer>(`${t(number)}/survey`, { rating, comment }),
  search: (q: string, limit = 10) => api.get<Items<SearchHit>>('/api/v1/search', { q, limit }),
}

export const ticketViewsApi = {
  list: () => api.get<Items<SavedView>>('/api/v1/me/ticket-views'),
  create: (name: string, query: Record<string, string>) => api.post<SavedView>('/api/v1/me/ticket-views', { name, query }),
  remove: (id: number) => api.del<void>(`/api/v1/me/ticket-views/${id}`),
}

export const ticketConfigApi = {
  categories: () => api.get<Items<Category>>('/api/v1/categories'),
  matrix: () => api.get<PriorityMatrix>('/api/v1/priority-matrix'),
  workflows: () => api.get<Workflows>('/api/v1/workflows'),
}

/** The priority the matrix gives impact × urgency ('' when out of range). */
export function matrixPriority(m: PriorityMatrix | null | undefined, impact: number, urgency: number): string {
  if (!m || impact < 1 || urgency < 1 || impact > m.impact_levels || urgency > m.urgency_levels) return ''
  return m.cells[(impact - 1) * m.urgency_levels + (urgency - 1)] ?? ''
}

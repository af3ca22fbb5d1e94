// The service desk as the requester portal and the service-desk admin pages use it:
// tickets seen by their requester, categories, the priority matrix, assignment rules, team
// dispatch strategies, settings and survey answers (src/api/ticket_routes.cpp and
// ticket_config_routes.cpp on the server).
import { api, request } from './client'
import type { Category, PriorityMatrix, SurveyAnswer } from './tickets'
import type { Page } from './types'

// Shared with the agent workspace's client: one definition each.
export type { Category, PriorityMatrix, SurveyAnswer } from './tickets'
export { CHANNELS, PRIORITIES } from './tickets'

export type TicketKind = 'incident' | 'request'

export interface AllowedTransition {
  to: string
  required_fields: string[]
}

/** A ticket as the list returns it (GET /api/v1/tickets). */
export interface TicketSummary {
  id: number
  number: string
  kind: TicketKind | string
  title: string
  description: string
  status: string
  impact: number
  urgency: number
  priority: string
  major: boolean
  category_id: number | null
  requester_id: number
  channel: string
  assignee_team_id: number | null
  assignee_id: number | null
  resolution_code: string
  resolution_notes: string
  cancel_reason: string
  reopen_count: number
  created_at: string
  updated_at: string
  resolved_at: string | null
  closed_at: string | null
  version: number
}

/** One ticket (GET /api/v1/tickets/{number}): names, allowed transitions, the survey. */
export interface TicketDetail extends TicketSummary {
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

export interface TicketComment {
  id: number
  author_id: number | null
  body: string
  public: boolean
  created_at: string
}

export interface TicketAttachment {
  id: number
  sha256: string
  filename: string
  content_type: string
  size: number
  public: boolean
  uploaded_by: number | null
  created_at: string
  url: string
}

/** One event of GET /api/v1/tickets/{number}/timeline (requesters get the public ones). */
export interface TimelineEntry {
  id: number
  at: string
  actor_id: number | null
  actor_name: string
  action: string
  detail: Record<string, unknown> | null
}

export interface NewTicketBody {
  kind: TicketKind
  title: string
  description?: string
  impact?: number
  urgency?: number
  category_id?: number | null
  channel?: string
}

export interface MyTicketQuery {
  q?: string
  open?: boolean | null
  kind?: string
  requester_id?: 'me' | number
  sort?: string
  limit?: number
  cursor?: string | null
}

/** The fields a requester may send with a transition. */
export interface RequesterTransition {
  to: string
  version: number
  reopen_reason?: string
  cancel_reason?: string
}

export interface NewCategoryBody {
  parent_id: number | null
  code: string
  name: string
  name_zh?: string
  security?: boolean
  sort_order?: number
}

export interface CategoryPatch {
  version: number
  name?: string
  name_zh?: string
  security?: boolean
  active?: boolean
  sort_order?: number
}

export const KINDS: readonly TicketKind[] = ['incident', 'request']
export const DISPATCH_STRATEGIES = ['manual', 'round_robin', 'least_open'] as const
export type DispatchStrategy = (typeof DISPATCH_STRATEGIES)[number]

export interface RuleConditions {
  kinds: string[]
  category_ids: number[]
  service_ids: number[]
  ci_ids: number[]
  priorities: string[]
  channels: string[]
  keywords: string[]
}

export interface AssignmentRule {
  id: number
  name: string
  position: number
  conditions: RuleConditions
  team_id: number
  active: boolean
  created_at: string
  updated_at: string
  version: number
}

export interface RuleBody {
  name: string
  position?: number
  conditions: Partial<RuleConditions>
  team_id: number
  active?: boolean
}

export interface TeamDispatch {
  team_id: number
  strategy: DispatchStrategy | string
  last_user_id?: number | null
}

export interface TicketSettings {
  auto_close_days: number
  service_desk_team_id: number | null
  security_team_id: number | null
  operations_team_id: number | null
  requesters_see_organisation: boolean
  attachment_max_bytes: number
  version: number
}

export type TicketSettingsPatch = Partial<Omit<TicketSettings, 'version'>> & { version: number }

export interface SurveyRow {
  number: string
  title: string
  team_id: number | null
  rating: number
  comment: string
  requester_id: number
  created_at: string
}

export interface SurveyQuery {
  from?: string
  to?: string
  team_id?: number | null
  rating?: number | null
  limit?: number
  cursor?: string | null
}

const T = '/api/v1/tickets'
const enc = encodeURIComponent

export const portalTicketsApi = {
  list: (q: MyTicketQuery) => api.get<Page<TicketSummary>>(T, { ...q }),
  get: (number: string) => api.get<TicketDetail>(`${T}/${enc(number)}`),
  create: (body: NewTicketBody) => api.post<TicketSummary>(T, body),
  comments: (number: string) => api.get<{ items: TicketComment[] }>(`${T}/${enc(number)}/comments`),
  timeline: (number: string) => api.get<{ items: TimelineEntry[] }>(`${T}/${enc(number)}/timeline`),
  addComment: (number: string, body: string) =>
    api.post<TicketComment>(`${T}/${enc(number)}/comments`, { body, public: true }),
  attachments: (number: string) => api.get<{ items: TicketAttachment[] }>(`${T}/${enc(number)}/attachments`),
  upload: (number: string, files: File[]) => uploadAttachments(number, files),
  transition: (number: string, body: RequesterTransition) =>
    api.post<TicketSummary>(`${T}/${enc(number)}/transitions`, body),
  answerSurvey: (number: string, rating: number, comment: string) =>
    api.post<SurveyAnswer>(`${T}/${enc(number)}/survey`, { rating, comment }),
}

/** Multipart upload: one `file` part per file. */
export function uploadAttachments(number: string, files: File[]): Promise<TicketAttachment[]> {
  const form = new FormData()
  for (const f of files) form.append('file', f, f.name)
  return api.upload<{ items: TicketAttachment[] }>(`${T}/${enc(number)}/attachments`, form).then((r) => r.items)
}

export const categoriesApi = {
  list: () => api.get<{ items: Category[] }>('/api/v1/categories'),
  create: (body: NewCategoryBody) => api.post<Category>('/api/v1/categories', body),
  update: (id: number, body: CategoryPatch) => api.patch<Category>(`/api/v1/categories/${id}`, body),
}

export const priorityMatrixApi = {
  get: () => api.get<PriorityMatrix>('/api/v1/priority-matrix'),
  put: (m: PriorityMatrix) => request<PriorityMatrix>('PUT', '/api/v1/priority-matrix', { body: m }),
}

export const assignmentRulesApi = {
  list: () => api.get<{ items: AssignmentRule[] }>('/api/v1/assignment-rules'),
  create: (body: RuleBody) => api.post<AssignmentRule>('/api/v1/assignment-rules', body),
  update: (id: number, body: Partial<RuleBody> & { version: number }) =>
    api.patch<AssignmentRule>(`/api/v1/assignment-rules/${id}`, body),
  remove: (id: number) => api.del<void>(`/api/v1/assignment-rules/${id}`),
}

export const dispatchApi = {
  list: () => api.get<{ items: TeamDispatch[] }>('/api/v1/dispatch-strategies'),
  set: (teamId: number, strategy: string) =>
    request<TeamDispatch>('PUT', `/api/v1/teams/${teamId}/dispatch`, { body: { strategy } }),
}

export const ticketSettingsApi = {
  get: () => api.get<TicketSettings>('/api/v1/ticket-settings'),
  update: (patch: TicketSettingsPatch) => api.patch<TicketSettings>('/api/v1/ticket-settings', patch),
}

export const surveysApi = {
  list: (q: SurveyQuery) => api.get<Page<SurveyRow>>('/api/v1/surveys', { ...q }),
}

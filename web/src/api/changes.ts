// Change management (issue #7): changes are tickets of kind "change" (CHG-000001) with a type
// (standard / normal / emergency), plans, CIs, a risk assessment, approval steps, conflict
// checks and a post-implementation review; plus the approver's inbox, the change calendar, freeze
// and maintenance windows, standard-change templates and the change settings. As served by
// src/api/change_routes.cpp and src/api/change_config_routes.cpp.
import { api, request } from './client'
import type { Page } from './types'
import type { Items, Ticket, TicketDetail, TicketQuery } from './tickets'
import type { CiBrief } from './problems'

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const
export type ChangeType = (typeof CHANGE_TYPES)[number]

export const RISK_LEVELS = ['low', 'medium', 'high'] as const
export type RiskLevel = (typeof RISK_LEVELS)[number]

/** The change workflow's states, in order. */
export const CHANGE_STATES = ['new', 'assess', 'authorise', 'scheduled', 'implement', 'review', 'failed', 'closed', 'cancelled'] as const
export type ChangeState = (typeof CHANGE_STATES)[number]

export const REVIEW_OUTCOMES = ['successful', 'partial', 'failed'] as const
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number]

export const CONFLICT_KINDS = ['change_overlap', 'freeze_window', 'outside_maintenance_window'] as const
export type ConflictKind = (typeof CONFLICT_KINDS)[number]

export const APPROVER_GROUPS = ['team_lead', 'cab', 'ecab'] as const
export const APPROVAL_RULES = ['any', 'all', 'majority'] as const

export interface RiskAssessment {
  answers: Record<string, string>
  score: number
  level: RiskLevel
}

export interface ApprovalDecision {
  user_id: number
  user_name: string
  verdict: 'approve' | 'reject'
  comment: string
  at: string
}

export interface ApprovalStep {
  name: string
  name_zh: string
  group: string
  rule: string
  /** pending (not open yet), open, approved, rejected, skipped: as the server says. */
  state: string
  approvers: { id: number; name: string }[]
  awaiting: number[]
  decisions: ApprovalDecision[]
}

export interface Approval {
  state: '' | 'pending' | 'approved' | 'rejected'
  round: number
  steps: ApprovalStep[]
}

export interface Conflict {
  kind: ConflictKind | string
  /** CHG-… or a window's name. */
  with: string
  with_id: number | string | null
  ci_id: number | null
  /** The name of ci_id ("" when none). */
  ci_name?: string
  /** English, with the times in UTC; the UI words its own from kind, with and ci_name. */
  reason: string
}

export interface ConflictOverride {
  reason: string
  by: number
  by_name: string
  at: string
  conflicts: Conflict[]
}

export interface ChangeReview {
  outcome: ReviewOutcome | string
  notes: string
  by: number
  at: string
  caused_incidents: string[]
}

export interface ChangeInfo {
  change_type: ChangeType
  template_id: number | null
  reason: string
  implementation_plan: string
  backout_plan: string
  test_plan: string
  planned_start: string | null
  planned_end: string | null
  actual_start: string | null
  actual_end: string | null
  ci_ids: number[]
  cis: CiBrief[]
  affected_services: { id: number; name: string }[]
  risk: RiskAssessment | null
  approval: Approval
  override: ConflictOverride | null
  review: ChangeReview | null
  retrospective_review: boolean
}

export interface ChangeDetail extends TicketDetail {
  change: ChangeInfo
  /** In create and PATCH answers: the conflict check run on save. */
  conflicts?: Conflict[]
}

/** A change row of GET /api/v1/tickets?kind=change (the extra fields when the server sends them). */
export interface ChangeRow extends Ticket {
  subtype?: string
  risk_level?: RiskLevel | null
  planned_start?: string | null
  planned_end?: string | null
}

export interface ChangeQuery extends TicketQuery {
  subtype?: string
}

export interface NewChangeBody {
  change_type: ChangeType
  title: string
  description?: string
  ci_ids?: number[]
  planned_start?: string | null
  planned_end?: string | null
  reason?: string
  implementation_plan?: string
  backout_plan?: string
  test_plan?: string
  assignee_team_id?: number | null
  assignee_id?: number | null
  risk_answers?: Record<string, string>
  template_id?: number | null
  impact?: number
  urgency?: number
}

export interface ChangePatch {
  version: number
  reason?: string
  implementation_plan?: string
  backout_plan?: string
  test_plan?: string
  planned_start?: string | null
  planned_end?: string | null
  ci_ids?: number[]
  risk_answers?: Record<string, string>
  change_type?: ChangeType
}

export interface ConflictsAnswer {
  conflicts: Conflict[]
  override: ConflictOverride | null
}

export interface ReviewBody {
  outcome: ReviewOutcome
  notes: string
  caused_incidents: string[]
}

export interface InboxItem {
  number: string
  title: string
  change_type: ChangeType | string
  risk_level: RiskLevel | string | null
  planned_start: string | null
  planned_end: string | null
  step: { name: string; name_zh: string; group: string; rule: string }
  requested_at: string
}

export interface CalendarChange {
  number: string
  title: string
  status: string
  change_type: ChangeType | string
  risk_level: RiskLevel | string | null
  planned_start: string | null
  planned_end: string | null
  ci_ids: number[]
  /** null when the server did not count them. */
  conflict_count: number | null
}

export interface FreezeWindow {
  id: number
  name: string
  reason: string
  start: string
  end: string
  service_ids: number[]
  /** In the freeze-window routes' answers (not in the calendar's). */
  services?: { id: number; name: string }[]
  version?: number
}

export interface MaintenanceOccurrence {
  id: number
  service_id: number
  service_name: string
  name: string
  start: string
  end: string
}

export interface CalendarAnswer {
  /** More changes than the server lists at once fall in the range. */
  truncated?: boolean
  changes: CalendarChange[]
  freeze_windows: FreezeWindow[]
  maintenance_windows: MaintenanceOccurrence[]
}

export interface ChangeStats {
  implemented: number
  successful: number
  partial: number
  failed: number
  caused_incidents: number
  success_rate: number
  emergency: number
  emergency_ratio: number
}

export interface FreezeWindowBody {
  name: string
  reason: string
  start: string
  end: string
  service_ids: number[]
}

export interface MaintenanceWindow {
  id: number
  service_id: number
  service_name?: string
  name: string
  zone: string
  /** "Sat 22:00-Sun 06:00" */
  ranges: string[]
  version?: number
}

export interface MaintenanceWindowBody {
  service_id: number
  name: string
  zone: string
  ranges: string[]
}

export interface ChangeTemplate {
  id: number
  name: string
  name_zh: string
  description: string
  description_zh: string
  implementation_plan: string
  backout_plan: string
  test_plan: string
  duration_minutes: number
  implementer_team_id: number | null
  active: boolean
  version: number
  implementer_team?: { id: number; name: string } | null
  created_at?: string
  updated_at?: string
}

export type ChangeTemplateBody = Omit<ChangeTemplate, 'id' | 'version' | 'implementer_team' | 'created_at' | 'updated_at'>

export interface RiskOption {
  value: string
  label: string
  label_zh: string
  score: number
}

export interface RiskQuestion {
  key: string
  text: string
  text_zh: string
  options: RiskOption[]
}

export interface Questionnaire {
  questions: RiskQuestion[]
  thresholds: { medium_from: number; high_from: number }
}

export interface ChangeSettings {
  cab_team_id: number | null
  ecab_team_id: number | null
  questionnaire: Questionnaire
  /** Defaults of the problem-candidates queue. */
  candidate_window_days: number
  candidate_min_incidents: number
  version: number
}

/** PUT /api/v1/change-settings: the version read and what to change (null clears a board). */
export interface ChangeSettingsBody {
  version: number
  cab_team_id?: number | null
  ecab_team_id?: number | null
  questionnaire?: Questionnaire
  candidate_window_days?: number
  candidate_min_incidents?: number
}

const T = (number: string) => `/api/v1/tickets/${encodeURIComponent(number)}`

export const changesApi = {
  list: (q: ChangeQuery) => api.get<Page<ChangeRow>>('/api/v1/tickets', { ...q, kind: 'change' }),
  get: (number: string) => api.get<ChangeDetail>(T(number)),
  create: (body: NewChangeBody) => api.post<ChangeDetail>('/api/v1/tickets', { ...body, kind: 'change' }),
  update: (number: string, patch: ChangePatch) => api.patch<ChangeDetail>(`${T(number)}/change`, patch),
  decide: (number: string, decision: 'approve' | 'reject', comment: string) =>
    api.post<ChangeDetail>(`${T(number)}/approvals`, { decision, comment }),
  conflicts: (number: string) => api.get<ConflictsAnswer>(`${T(number)}/conflicts`),
  override: (number: string, reason: string) => api.post<ChangeDetail>(`${T(number)}/conflicts/override`, { reason }),
  review: (number: string, body: ReviewBody) => api.post<ChangeDetail>(`${T(number)}/review`, body),
  inbox: () => api.get<Items<InboxItem>>('/api/v1/approvals/inbox'),
  calendar: (from: string, to: string, serviceId?: number | null) =>
    api.get<CalendarAnswer>('/api/v1/changes/calendar', { from, to, service_id: serviceId ?? undefined, conflicts: true }),
  stats: (from: string, to: string) => api.get<ChangeStats>('/api/v1/changes/stats', { from, to }),
}

export const freezeWindowsApi = {
  list: () => api.get<Items<FreezeWindow>>('/api/v1/freeze-windows'),
  create: (body: FreezeWindowBody) => api.post<FreezeWindow>('/api/v1/freeze-windows', body),
  update: (id: number, body: Partial<FreezeWindowBody> & { version?: number }) => api.patch<FreezeWindow>(`/api/v1/freeze-windows/${id}`, body),
  remove: (id: number) => api.del<void>(`/api/v1/freeze-windows/${id}`),
}

export const maintenanceWindowsApi = {
  list: () => api.get<Items<MaintenanceWindow>>('/api/v1/maintenance-windows'),
  create: (body: MaintenanceWindowBody) => api.post<MaintenanceWindow>('/api/v1/maintenance-windows', body),
  update: (id: number, body: Partial<MaintenanceWindowBody> & { version?: number }) =>
    api.patch<MaintenanceWindow>(`/api/v1/maintenance-windows/${id}`, body),
  remove: (id: number) => api.del<void>(`/api/v1/maintenance-windows/${id}`),
}

export const changeTemplatesApi = {
  /** Active templates (anyone signed in); staff may ask for all. */
  list: (all = false) => api.get<Items<ChangeTemplate>>('/api/v1/change-templates', { all: all ? 'true' : undefined }),
  create: (body: ChangeTemplateBody) => api.post<ChangeTemplate>('/api/v1/change-templates', body),
  update: (id: number, body: Partial<ChangeTemplateBody> & { version: number }) =>
    api.patch<ChangeTemplate>(`/api/v1/change-templates/${id}`, body),
}

export const changeSettingsApi = {
  get: () => api.get<ChangeSettings>('/api/v1/change-settings'),
  put: (body: ChangeSettingsBody) => request<ChangeSettings>('PUT', '/api/v1/change-settings', { body }),
}

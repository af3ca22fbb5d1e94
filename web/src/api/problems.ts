// Problem management (issue #7): problems are tickets of kind "problem" (PRB-000001) with a root
// cause analysis, linked incidents and a "known error" flag; known errors are searched and
// suggested for incidents; the candidates queue groups unlinked incidents by CI or category.
// As served by src/api/problem_routes.cpp (see /api/v1/openapi.json).
import { api } from './client'
import type { Page } from './types'
import type { Items, TicketDetail, Ticket, TicketQuery, TransitionBody } from './tickets'

/** The problem workflow's states, in order. */
export const PROBLEM_STATES = ['new', 'assessed', 'root_cause_analysis', 'fix_in_progress', 'resolved', 'closed', 'cancelled'] as const
export type ProblemState = (typeof PROBLEM_STATES)[number]

/** Record fields a transition may require (preconditions, not sent in the transition body). */
export const PROBLEM_RECORD_FIELDS = ['root_cause', 'permanent_fix', 'workaround', 'symptoms'] as const
export type ProblemTextField = (typeof PROBLEM_RECORD_FIELDS)[number]

export interface CiBrief {
  id: number
  name: string
  type: string
}

export interface ProblemIncident {
  number: string
  title: string
  status: string
  priority: string
  /** Linked by applying a known error (not by hand). */
  via_known_error: boolean
}

export interface ProblemInfo {
  symptoms: string
  root_cause: string
  workaround: string
  permanent_fix: string
  known_error: boolean
  known_error_at: string | null
  ci_ids: number[]
  cis: CiBrief[]
  incidents: ProblemIncident[]
}

/** GET /api/v1/tickets/{PRB-n}: the ticket detail with its problem record. */
export interface ProblemDetail extends TicketDetail {
  problem: ProblemInfo
}

/** A problem row of GET /api/v1/tickets?kind=problem (known_error when the server sends it). */
export interface ProblemRow extends Ticket {
  known_error?: boolean
  ci_ids?: number[]
}

export interface ProblemQuery extends TicketQuery {
  known_error?: boolean
}

export interface NewProblemBody {
  kind: 'problem'
  title: string
  description?: string
  impact?: number
  urgency?: number
  incident_numbers?: string[]
  ci_ids?: number[]
  symptoms?: string
  root_cause?: string
  workaround?: string
  permanent_fix?: string
  assignee_team_id?: number | null
  assignee_id?: number | null
  service_id?: number | null
}

export interface ProblemPatch {
  version: number
  symptoms?: string
  root_cause?: string
  workaround?: string
  permanent_fix?: string
  ci_ids?: number[]
}

export interface ProblemTransitionBody extends TransitionBody {
  /** To resolved: also resolve the linked open incidents. */
  resolve_incidents?: boolean
}

/** A row of GET /api/v1/known-errors. */
export interface KnownError {
  number: string
  title: string
  status: string
  workaround: string
  root_cause: string
  symptoms: string
  known_error_at: string | null
  ci_ids: number[]
}

export interface KnownErrorQuery {
  q?: string
  ci_id?: number
  service_id?: number
  limit?: number
}

export const SUGGESTION_REASONS = ['same_ci', 'same_service', 'similar_text'] as const
export type SuggestionReason = (typeof SUGGESTION_REASONS)[number]

/** A known error suggested for an incident (GET /api/v1/tickets/{INC}/known-errors). */
export interface KnownErrorSuggestion {
  number: string
  title: string
  workaround: string
  reasons: string[]
  /** The incident is already linked to this problem. */
  linked?: boolean
}

export interface ApplyAnswer {
  problem: string
  incident: Ticket
}

export type CandidateGrouping = 'ci' | 'category'

export interface CandidateIncident {
  number: string
  title: string
  status: string
  created_at: string
}

export interface CandidateGroup {
  key: { ci_id?: number; category_id?: number; name: string }
  count: number
  first_at: string
  last_at: string
  incidents: CandidateIncident[]
}

export interface CandidatesAnswer {
  group_by: CandidateGrouping
  window_days: number
  min_incidents: number
  items: CandidateGroup[]
}

export interface CandidateQuery {
  group_by?: CandidateGrouping
  window_days?: number
  min_incidents?: number
}

const T = (number: string) => `/api/v1/tickets/${encodeURIComponent(number)}`

export const problemsApi = {
  list: (q: ProblemQuery) => api.get<Page<ProblemRow>>('/api/v1/tickets', { ...q, kind: 'problem' }),
  get: (number: string) => api.get<ProblemDetail>(T(number)),
  create: (body: Omit<NewProblemBody, 'kind'>) => api.post<ProblemDetail>('/api/v1/tickets', { ...body, kind: 'problem' }),
  update: (number: string, patch: ProblemPatch) => api.patch<ProblemDetail>(`${T(number)}/problem`, patch),
  linkIncidents: (number: string, numbers: string[]) => api.post<ProblemDetail>(`${T(number)}/incidents`, { numbers }),
  unlinkIncident: (number: string, incident: string) =>
    api.del<ProblemDetail | undefined>(`${T(number)}/incidents/${encodeURIComponent(incident)}`),
  publish: (number: string, published: boolean) => api.post<ProblemDetail>(`${T(number)}/known-error`, { published }),
  transition: (number: string, body: ProblemTransitionBody) => api.post<Ticket>(`${T(number)}/transitions`, body),
  knownErrors: (q: KnownErrorQuery) => api.get<Items<KnownError>>('/api/v1/known-errors', { ...q }),
  suggestions: (incident: string) => api.get<Items<KnownErrorSuggestion>>(`${T(incident)}/known-errors`),
  apply: (incident: string, problem: string) =>
    api.post<ApplyAnswer>(`${T(incident)}/known-errors/${encodeURIComponent(problem)}/apply`),
  candidates: (q: CandidateQuery) => api.get<CandidatesAnswer>('/api/v1/problem-candidates', { ...q }),
}

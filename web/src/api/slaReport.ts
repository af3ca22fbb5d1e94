// SLA compliance report (issue #5; GET /api/v1/reports/sla, permission sla.read): per group
// (priority, team, service or category) how many response and resolution targets were met or
// breached in [from, to), the compliance percentage, and the ticket-list URLs of each figure.
import { api } from './client'

export const SLA_REPORT_GROUPS = ['priority', 'team', 'service', 'category'] as const
export type SlaReportGroupBy = (typeof SLA_REPORT_GROUPS)[number]

export interface SlaOutcomeCounts {
  met: number
  breached: number
  /** 100 * met / (met + breached), rounded to 0.1; null when both are 0. */
  compliance: number | null
}

/** API list URLs ("/api/v1/tickets?sla_metric=...&sla_outcome=...&..."). */
export interface SlaReportLinks {
  response_met: string
  response_breached: string
  resolution_met: string
  resolution_breached: string
}

export interface SlaReportGroup {
  /** "P1" (priority), an id (team, service, category) or null (no team / service / category). */
  key: string | number | null
  name: string | null
  name_zh?: string | null
  response: SlaOutcomeCounts
  resolution: SlaOutcomeCounts
  tickets: SlaReportLinks
}

export interface SlaReport {
  from: string
  to: string
  group_by: SlaReportGroupBy | string
  groups: SlaReportGroup[]
  total: { response: SlaOutcomeCounts; resolution: SlaOutcomeCounts; tickets: SlaReportLinks }
}

export interface SlaReportQuery {
  /** RFC 3339; from < to, at most 366 days apart. */
  from: string
  to: string
  group_by: SlaReportGroupBy
  kind?: string
}

export const slaReportApi = {
  get: (q: SlaReportQuery) => api.get<SlaReport>('/api/v1/reports/sla', { ...q }),
}

// A ticket's SLA as the server explains it (issue #5; GET /api/v1/tickets/{number}/sla in
// src/api/sla_routes.cpp, staff only): the policy and calendar that apply and, per metric, the
// target, elapsed and remaining business minutes, the clock's state, the due time, the
// thresholds and the intervals in which the clock counted or stood still.
import { api } from './client'

export const SLA_METRICS = ['response', 'resolution', 'ola'] as const
export type SlaMetricName = (typeof SLA_METRICS)[number]

export const SLA_CLOCK_STATES = ['running', 'paused', 'met', 'breached', 'cancelled'] as const
export type SlaClockState = (typeof SLA_CLOCK_STATES)[number]

export interface SlaThresholdState {
  /** Percent of the target, e.g. 75. */
  percent: number
  /** When elapsed reached (or, while running, will reach) the percentage; UTC. */
  at: string | null
  reached: boolean
}

export interface SlaInterval {
  from: string
  to: string
  /** The clock counted business time in it. */
  counted: boolean
  /**
   * Why it did not count: "pending:awaiting_requester" (any pending reason), "responded",
   * "resolved", "fulfilled", "closed", "cancelled", "other_team"; null when counted.
   */
  reason: string | null
  /** Business minutes in the interval (counted or not). */
  business_minutes: number
}

export interface SlaMetric {
  metric: SlaMetricName | string
  /** OLA: the team the target is for. */
  team_id: number | null
  target_minutes: number
  elapsed_minutes: number
  /** target - elapsed; negative once overdue. */
  remaining_minutes: number
  percent: number
  state: SlaClockState | string
  /** The clock counts now. */
  running: boolean
  /** Running: when elapsed reaches the target (UTC). */
  due: string | null
  /** The same instant in the calendar's zone. */
  due_local: string | null
  breached_at: string | null
  stopped_at: string | null
  thresholds: SlaThresholdState[]
  intervals: SlaInterval[]
}

export interface TicketSla {
  number: string
  /** null: no policy applies (then there are no metrics). */
  policy: { id: number; name: string } | null
  calendar: { id: number; name: string; zone: string } | null
  metrics: SlaMetric[]
}

/** What the SLA panel needs of a policy (GET /api/v1/sla-policies/{id}, sla_read). */
export interface SlaPolicyThresholds {
  id: number
  version: number
  thresholds: { percent: number; actions: { type: string }[] }[]
}

export const ticketSlaApi = {
  get: (number: string) => api.get<TicketSla>(`/api/v1/tickets/${encodeURIComponent(number)}/sla`),
  /** The thresholds of a policy, to know which of them mark a ticket at risk. */
  policyThresholds: (id: number) => api.get<SlaPolicyThresholds>(`/api/v1/sla-policies/${id}`),
}

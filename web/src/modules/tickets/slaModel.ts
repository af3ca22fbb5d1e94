// The SLA panel of the ticket page without Vue: labels, business durations ("3 h 20 min
// left" / "还剩 3 小时 20 分"), the tone of a metric (on track, at risk, breached, met,
// cancelled), the progress bar and its threshold markers, and the "why" rows of the intervals.
// The keys are written out so tests/i18n.spec.ts sees each of them used.
import type { SlaInterval, SlaMetric } from '@/api/ticketSla'
import { PENDING_REASON_KEYS, labelOf } from './labels'

type T = (key: string, params?: Record<string, unknown>) => string
type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

/** At or above this percentage of the target a running or paused clock is at risk. */
export const AT_RISK_PERCENT = 75

export const SLA_STATE_KEYS: Record<string, string> = {
  running: 'ticketSla.state.running',
  paused: 'ticketSla.state.paused',
  met: 'ticketSla.state.met',
  breached: 'ticketSla.state.breached',
  cancelled: 'ticketSla.state.cancelled',
}

/** Tag colours by clock state; paused is dark grey so it stands apart from a running clock. */
export const SLA_STATE_TAGS: Record<string, { type: TagType; effect: 'dark' | 'light' | 'plain' }> = {
  running: { type: 'primary', effect: 'light' },
  paused: { type: 'info', effect: 'dark' },
  met: { type: 'success', effect: 'light' },
  breached: { type: 'danger', effect: 'dark' },
  cancelled: { type: 'info', effect: 'plain' },
}

const REASON_KEYS: Record<string, string> = {
  responded: 'ticketSla.reason.responded',
  resolved: 'ticketSla.reason.resolved',
  fulfilled: 'ticketSla.reason.fulfilled',
  closed: 'ticketSla.reason.closed',
  cancelled: 'ticketSla.reason.cancelled',
  other_team: 'ticketSla.reason.other_team',
}

/** "首次响应", "解决", "OLA · 网络组". */
export function metricLabel(t: T, m: Pick<SlaMetric, 'metric' | 'team_id'>, teamLabel: (id: number) => string): string {
  if (m.metric === 'response') return t('ticketSla.metric.response')
  if (m.metric === 'resolution') return t('ticketSla.metric.resolution')
  if (m.metric === 'ola') {
    return m.team_id === null ? t('ticketSla.metric.olaNoTeam') : t('ticketSla.metric.ola', { team: teamLabel(m.team_id) })
  }
  return m.metric
}

/** Business minutes as hours and minutes: "3 h 20 min", "3 小时 20 分", "25 分钟". */
export function formatBusiness(t: T, minutes: number): string {
  const total = Math.max(0, Math.round(Math.abs(minutes)))
  const h = Math.floor(total / 60)
  const m = total % 60
  if (h && m) return t('ticketSla.duration.hm', { h, m })
  if (h) return t('ticketSla.duration.h', { h })
  return t('ticketSla.duration.m', { m })
}

/** The headline of a metric: time left, time overdue, or how it ended. */
export function timeText(t: T, m: Pick<SlaMetric, 'state' | 'remaining_minutes' | 'elapsed_minutes'>): string {
  if (m.remaining_minutes < 0 || m.state === 'breached') {
    return t('ticketSla.overdue', { time: formatBusiness(t, Math.min(0, m.remaining_minutes)) })
  }
  if (m.state === 'met') return t('ticketSla.metIn', { time: formatBusiness(t, m.elapsed_minutes) })
  if (m.state === 'cancelled') return t('ticketSla.stopped')
  return t('ticketSla.remaining', { time: formatBusiness(t, m.remaining_minutes) })
}

export type SlaTone = 'ok' | 'risk' | 'breached' | 'met' | 'cancelled'

/**
 * breached: past the target; met / cancelled: stopped; risk: a clock still open at 75 % or
 * more, or past a threshold whose actions mark the ticket at risk (`atRiskPercents`, from the
 * policy); ok otherwise.
 */
export function slaTone(
  m: Pick<SlaMetric, 'state' | 'percent' | 'remaining_minutes' | 'thresholds'>,
  atRiskPercents: readonly number[] = [],
): SlaTone {
  if (m.state === 'breached' || m.remaining_minutes < 0) return 'breached'
  if (m.state === 'met') return 'met'
  if (m.state === 'cancelled') return 'cancelled'
  if (m.percent >= AT_RISK_PERCENT) return 'risk'
  if (m.thresholds.some((th) => th.reached && atRiskPercents.includes(th.percent))) return 'risk'
  return 'ok'
}

/** Width of the bar's fill, 0–100. */
export function barPercent(percent: number): number {
  if (!Number.isFinite(percent)) return 0
  return Math.min(100, Math.max(0, percent))
}

export interface ThresholdMark {
  percent: number
  /** Position on the bar, 0–100 (a threshold above 100 % sits at the end). */
  left: number
  reached: boolean
  atRisk: boolean
}

export function thresholdMarks(m: Pick<SlaMetric, 'thresholds'>, atRiskPercents: readonly number[] = []): ThresholdMark[] {
  return m.thresholds
    .filter((th) => th.percent > 0)
    .map((th) => ({ percent: th.percent, left: barPercent(th.percent), reached: th.reached, atRisk: atRiskPercents.includes(th.percent) }))
}

/** How the clock treated an interval: counted, paused (pending, another team), or stopped. */
export type IntervalKind = 'counted' | 'paused' | 'stopped'

export function intervalKind(iv: Pick<SlaInterval, 'counted' | 'reason'>): IntervalKind {
  if (iv.counted) return 'counted'
  const r = iv.reason ?? ''
  return r.startsWith('pending:') || r === 'other_team' ? 'paused' : 'stopped'
}

/** The reason an interval did not count, translated: "等待申请人", "已响应". */
export function reasonLabel(t: T, reason: string | null): string {
  if (!reason) return ''
  if (reason.startsWith('pending:')) {
    const why = reason.slice('pending:'.length)
    return t('ticketSla.reason.pending', { reason: labelOf(t, PENDING_REASON_KEYS, why) })
  }
  const k = REASON_KEYS[reason]
  return k ? t(k) : reason
}

/** The "clock" cell of a why-row: "计时", "暂停：等待申请人", "停止：已响应". */
export function intervalText(t: T, iv: Pick<SlaInterval, 'counted' | 'reason'>): string {
  const kind = intervalKind(iv)
  if (kind === 'counted') return t('ticketSla.why.counted')
  const reason = reasonLabel(t, iv.reason)
  if (kind === 'paused') return reason ? t('ticketSla.why.pausedBecause', { reason }) : t('ticketSla.why.paused')
  return reason ? t('ticketSla.why.stoppedBecause', { reason }) : t('ticketSla.why.stopped')
}

/** The percentages of a policy's thresholds that have a mark_at_risk action. */
export function atRiskPercents(thresholds: readonly { percent: number; actions?: readonly { type: string }[] }[]): number[] {
  return thresholds.filter((th) => (th.actions ?? []).some((a) => a.type === 'mark_at_risk')).map((th) => th.percent)
}

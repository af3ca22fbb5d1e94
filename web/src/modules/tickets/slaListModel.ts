// The SLA of a ticket in lists (the queue's SLA column, the "at risk / breached" queue) without
// Vue: the flag as a tag, the wall-clock time to the due time ("due in 2 h 10 min") or past it
// ("overdue 35 min"), paused, and a line per metric for the tooltip (the clock states named as on
// the ticket page's SLA panel, slaModel.ts). The keys are written out so tests/i18n.spec.ts sees
// each of them used.
import type { TicketSlaMetricSummary, TicketSlaSummary } from '@/api/tickets'
import { SLA_STATE_KEYS } from './slaModel'

type T = (key: string, params?: Record<string, unknown>) => string
type TagType = 'primary' | 'success' | 'info' | 'warning' | 'danger'

export const SLA_FLAG_KEYS: Record<string, string> = {
  ok: 'slaQueue.flag.ok',
  at_risk: 'slaQueue.flag.at_risk',
  breached: 'slaQueue.flag.breached',
}

/** Breached solid red, at risk amber, on track neutral. */
export const SLA_FLAG_TAGS: Record<string, { type: TagType; effect: 'dark' | 'light' | 'plain' }> = {
  ok: { type: 'info', effect: 'plain' },
  at_risk: { type: 'warning', effect: 'dark' },
  breached: { type: 'danger', effect: 'dark' },
}

const METRIC_KEYS = { response: 'ticketSla.metric.response', resolution: 'ticketSla.metric.resolution' } as const

const MINUTE = 60_000

/** Wall-clock time as days, hours and minutes: "3 d 4 h", "2 h 10 min", "35 min", "< 1 min". */
export function formatSpan(t: T, ms: number): string {
  const total = Math.floor(Math.abs(ms) / MINUTE)
  if (total < 1) return t('slaQueue.span.lt1m')
  const d = Math.floor(total / 1440)
  const h = Math.floor((total % 1440) / 60)
  const m = total % 60
  if (d) return h ? t('slaQueue.span.dh', { d, h }) : t('slaQueue.span.d', { d })
  if (h) return m ? t('slaQueue.span.hm', { h, m }) : t('slaQueue.span.h', { h })
  return t('slaQueue.span.m', { m })
}

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null
  const v = Date.parse(iso)
  return Number.isNaN(v) ? null : v
}

/**
 * The "now" relative times are measured from: the browser's clock, or the time of the server's
 * evaluation when that is later (a browser clock running behind the server's would otherwise
 * show a breached ticket as still due).
 */
export function referenceNow(now: number, sla: Pick<TicketSlaSummary, 'evaluated_at'> | null | undefined): number {
  const at = ms(sla?.evaluated_at)
  return at !== null && at > now ? at : now
}

export type SlaCellKind = 'due' | 'overdue' | 'paused' | 'none'

export interface SlaCell {
  /** ok | at_risk | breached, or none (no SLA). */
  flag: string
  kind: SlaCellKind
  /** "due in 2 h 10 min", "overdue 35 min", "paused", or ''. */
  text: string
  /** Signed milliseconds to the due time (negative: overdue); null when there is no time. */
  delta: number | null
}

/** Which metric's breach an overdue text counts from: the resolution, else the response. */
const BREACH_ORDER = ['resolution', 'response'] as const

/**
 * The list cell of a ticket's SLA. A running metric's due time (the summary's due_at) gives
 * "due in" / "overdue"; with none running, a breached metric gives "overdue" since its breach;
 * a paused clock says so; met or stopped clocks show the flag alone.
 */
export function slaCell(t: T, sla: TicketSlaSummary | null | undefined, now: number): SlaCell {
  if (!sla || !sla.flag || sla.flag === 'none') return { flag: 'none', kind: 'none', text: '', delta: null }
  const at = referenceNow(now, sla)
  const due = ms(sla.due_at)
  if (due !== null) {
    const delta = due - at
    if (delta >= 0) return { flag: sla.flag, kind: 'due', text: t('slaQueue.dueIn', { time: formatSpan(t, delta) }), delta }
    return { flag: sla.flag, kind: 'overdue', text: t('slaQueue.overdue', { time: formatSpan(t, delta) }), delta }
  }
  for (const name of BREACH_ORDER) {
    const m = sla[name]
    const b = m?.state === 'breached' ? ms(m.breached_at) : null
    if (b !== null) {
      const delta = Math.min(0, b - at)
      return { flag: sla.flag, kind: 'overdue', text: t('slaQueue.overdue', { time: formatSpan(t, delta) }), delta }
    }
  }
  if (sla.response?.state === 'paused' || sla.resolution?.state === 'paused') {
    return { flag: sla.flag, kind: 'paused', text: t('slaQueue.paused'), delta: null }
  }
  return { flag: sla.flag, kind: 'none', text: '', delta: null }
}

/**
 * One line per metric: "First response: Met", "Resolution: due 2026-05-12 14:00",
 * "Resolution: breached 2026-05-12 10:35", "Resolution: Paused". `fmt` formats an ISO time.
 */
export function metricLines(t: T, sla: TicketSlaSummary | null | undefined, fmt: (iso: string) => string): string[] {
  if (!sla) return []
  const out: string[] = []
  for (const name of ['response', 'resolution'] as const) {
    const m: TicketSlaMetricSummary | null = sla[name]
    if (!m) continue
    let state = SLA_STATE_KEYS[m.state] ? t(SLA_STATE_KEYS[m.state]) : m.state
    if (m.state === 'breached' && m.breached_at) state = t('slaQueue.tip.breachedAt', { when: fmt(m.breached_at) })
    else if (m.state === 'running' && m.due_at) state = t('slaQueue.tip.dueAt', { when: fmt(m.due_at) })
    out.push(t('slaQueue.tip.line', { metric: t(METRIC_KEYS[name]), state }))
  }
  return out
}

/** The queue's flag filter: both, at risk only, breached only (the API's sla= values). */
export const ATTENTION_FILTERS = ['attention', 'at_risk', 'breached'] as const
export type AttentionFilter = (typeof ATTENTION_FILTERS)[number]
export const ATTENTION_FILTER_KEYS: Record<AttentionFilter, string> = {
  attention: 'slaQueue.filter.attention',
  at_risk: 'slaQueue.filter.at_risk',
  breached: 'slaQueue.filter.breached',
}

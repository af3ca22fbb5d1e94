// The SLA compliance report (GET /api/v1/reports/sla) for people, without Vue: group names,
// percentages, the bars of the compliance chart, the summary sentence, the "last 30 days" range
// in the user's zone, and the API's ticket-list links as routes of the agent ticket list. The
// keys are written out so tests/i18n.spec.ts sees each of them used.
import type { SlaOutcomeCounts, SlaReport, SlaReportGroup, SlaReportLinks } from '@/api/slaReport'
import { addDays, todayIn, zonedIso } from '@/utils/datetime'

type T = (key: string, params?: Record<string, unknown>) => string

export const SLA_METRICS = ['response', 'resolution'] as const
export type ReportMetric = (typeof SLA_METRICS)[number]
export type Outcome = 'met' | 'breached'

export const METRIC_KEYS: Record<ReportMetric, string> = {
  response: 'ticketSla.metric.response',
  resolution: 'ticketSla.metric.resolution',
}

export const GROUP_BY_KEYS: Record<string, string> = {
  priority: 'slaReport.groupBy.priority',
  team: 'slaReport.groupBy.team',
  service: 'slaReport.groupBy.service',
  category: 'slaReport.groupBy.category',
}

const NONE_KEYS: Record<string, string> = {
  team: 'slaReport.none.team',
  service: 'slaReport.none.service',
  category: 'slaReport.none.category',
  priority: 'slaReport.none.priority',
}

/** A group's key as a string for data-key attributes and Vue keys: "P1", "7", "none". */
export function groupKey(g: Pick<SlaReportGroup, 'key'>): string {
  return g.key === null || g.key === undefined ? 'none' : String(g.key)
}

/** A group's name in the UI language: "P1", "网络组", "No team". */
export function groupLabel(t: T, groupBy: string, g: Pick<SlaReportGroup, 'key' | 'name' | 'name_zh'>, locale: string): string {
  if (g.key === null || g.key === undefined) return t(NONE_KEYS[groupBy] ?? 'slaReport.none.other')
  if (locale === 'zh-CN' && g.name_zh) return g.name_zh
  if (g.name) return g.name
  return `#${g.key}`
}

/** 97.5 → "97.5%", 100 → "100%", null → "—". */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  return `${Number(v.toFixed(1))}%`
}

/** Compliance as the server computes it: 100 * met / (met + breached) to 0.1; null without any. */
export function compliance(met: number, breached: number): number | null {
  const n = met + breached
  return n ? Math.round((1000 * met) / n) / 10 : null
}

export interface ChartBar {
  metric: ReportMetric
  met: number
  breached: number
  compliance: number | null
  /** API list URLs of the two figures. */
  links: Record<Outcome, string>
}

export interface ChartGroup {
  key: string
  label: string
  bars: ChartBar[]
}

function bar(metric: ReportMetric, c: SlaOutcomeCounts, links: SlaReportLinks): ChartBar {
  return {
    metric,
    met: c.met,
    breached: c.breached,
    compliance: c.compliance ?? compliance(c.met, c.breached),
    links: { met: links[`${metric}_met`], breached: links[`${metric}_breached`] },
  }
}

/** The chart's data: per group (in the report's order) a bar per metric. */
export function chartGroups(report: Pick<SlaReport, 'groups' | 'group_by'>, label: (g: SlaReportGroup) => string): ChartGroup[] {
  return report.groups.map((g) => ({
    key: groupKey(g),
    label: label(g),
    bars: SLA_METRICS.map((m) => bar(m, g[m], g.tickets)),
  }))
}

/** The report's totals as chart bars (the summary and the table's total row). */
export function totalBars(report: Pick<SlaReport, 'total'>): ChartBar[] {
  return SLA_METRICS.map((m) => bar(m, report.total[m], report.total.tickets))
}

/** "First response 95% met (38 of 40) · Resolution: nothing decided". */
export function summaryText(t: T, bars: readonly ChartBar[]): string {
  return bars
    .map((b) => {
      const metric = t(METRIC_KEYS[b.metric])
      const total = b.met + b.breached
      if (!total) return t('slaReport.summaryNone', { metric })
      return t('slaReport.summaryMetric', { metric, percent: formatPercent(b.compliance), met: b.met, total, breached: b.breached })
    })
    .join(t('slaReport.summarySeparator'))
}

/** The API's list parameters and the agent ticket list's URL parameters they become. */
const PARAM_MAP: Record<string, string> = {
  priority: 'priority',
  kind: 'kind',
  status: 'status',
  channel: 'channel',
  team_id: 'team',
  assignee_id: 'assignee',
  category_id: 'category',
  service_id: 'service',
  q: 'q',
  sort: 'sort',
  sla: 'sla',
  sla_metric: 'sla_metric',
  sla_outcome: 'sla_outcome',
  sla_from: 'sla_from',
  sla_to: 'sla_to',
}

export interface ListRoute {
  path: '/tickets'
  query: Record<string, string>
}

/**
 * An API ticket-list URL of the report ("/api/v1/tickets?sla_metric=response&...&priority=P1")
 * as the agent ticket list's route with the same filters (the "all tickets" view); null for
 * anything else.
 */
export function listRoute(apiUrl: string | null | undefined): ListRoute | null {
  if (!apiUrl) return null
  let url: URL
  try {
    url = new URL(apiUrl, 'http://localhost')
  } catch {
    return null
  }
  if (url.pathname !== '/api/v1/tickets') return null
  const query: Record<string, string> = { view: 'all' }
  for (const [k, v] of url.searchParams) {
    const to = PARAM_MAP[k]
    if (to && v) query[to] = v
  }
  return { path: '/tickets', query }
}

/** [from, to) covering the last `days` calendar days up to the end of today, in the user's zone. */
export function lastDays(days: number, timeZone: string, now: Date = new Date()): { from: string; to: string; fromDate: string; toDate: string } {
  const today = todayIn(timeZone, now)
  const fromDate = addDays(today, -(days - 1))
  return {
    from: zonedIso(fromDate, '00:00:00', timeZone),
    to: zonedIso(addDays(today, 1), '00:00:00', timeZone),
    fromDate,
    toDate: today,
  }
}

/** [from, to) of a date range picked as YYYY-MM-DD (both days included), in the user's zone. */
export function dateRange(fromDate: string, toDate: string, timeZone: string): { from: string; to: string } {
  return { from: zonedIso(fromDate, '00:00:00', timeZone), to: zonedIso(addDays(toDate, 1), '00:00:00', timeZone) }
}

/** The chart's vertical scale: the height in percent of a bar's met and breached parts. */
export function barParts(b: Pick<ChartBar, 'met' | 'breached'>): { met: number; breached: number } {
  const n = b.met + b.breached
  if (!n) return { met: 0, breached: 0 }
  const met = (100 * b.met) / n
  return { met, breached: 100 - met }
}

// The timeline's "ticket.sla" events (issue #5) without Vue: a threshold of a metric fired —
// a warning at N % of the target or the breach at 100 % — and what the SLA worker did about it
// (notified whom, marked the ticket at risk, reassigned it, raised its priority). The keys are
// written out so tests/i18n.spec.ts sees each of them used.

type T = (key: string, params?: Record<string, unknown>) => string

export interface SlaEventAction {
  type: string
  /** notify: assignee | team_lead | operations. */
  to?: string
  user_ids?: number[]
  team_id?: number
  from?: string
  /** reassign / raise_priority: false when nothing changed (the team inactive, already P1). */
  done?: boolean
}

export interface SlaEventDetail {
  metric: string
  team_id: number | null
  percent: number
  breach: boolean
  due_at: string | null
  actions: SlaEventAction[]
}

const WHOM_KEYS: Record<string, string> = {
  assignee: 'slaEvents.whom.assignee',
  team_lead: 'slaEvents.whom.team_lead',
  operations: 'slaEvents.whom.operations',
}

/** The detail of a ticket.sla event, tolerant of missing parts; null when it is not one. */
export function slaEventDetail(detail: Record<string, unknown> | null | undefined): SlaEventDetail | null {
  if (!detail || typeof detail.metric !== 'string') return null
  const percent = Number(detail.percent ?? 0)
  return {
    metric: detail.metric,
    team_id: typeof detail.team_id === 'number' ? detail.team_id : null,
    percent: Number.isFinite(percent) ? percent : 0,
    breach: detail.breach === true || percent >= 100,
    due_at: typeof detail.due_at === 'string' ? detail.due_at : null,
    actions: Array.isArray(detail.actions) ? (detail.actions as SlaEventAction[]).filter((a) => a && typeof a.type === 'string') : [],
  }
}

/** "First response", "Resolution", "OLA · Network". */
export function slaEventMetric(t: T, d: Pick<SlaEventDetail, 'metric' | 'team_id'>, teamLabel: (id: number) => string): string {
  if (d.metric === 'response') return t('ticketSla.metric.response')
  if (d.metric === 'resolution') return t('ticketSla.metric.resolution')
  if (d.metric === 'ola') return d.team_id === null ? t('ticketSla.metric.olaNoTeam') : t('ticketSla.metric.ola', { team: teamLabel(d.team_id) })
  return d.metric
}

/** The event's headline: "Resolution breached its target", "First response reached 75% of its target". */
export function slaEventHeadline(t: T, d: SlaEventDetail, teamLabel: (id: number) => string): string {
  const metric = slaEventMetric(t, d, teamLabel)
  return d.breach ? t('slaEvents.breach', { metric }) : t('slaEvents.warning', { metric, percent: d.percent })
}

export interface SlaEventNames {
  userName: (id: number) => string
  teamLabel: (id: number) => string
  /** Formats an ISO time in the user's zone. */
  fmt: (iso: string) => string
}

/** One line per action taken, then the due time of a warning. */
export function slaEventLines(t: T, d: SlaEventDetail, names: SlaEventNames): string[] {
  const out: string[] = []
  for (const a of d.actions) {
    switch (a.type) {
      case 'notify': {
        const whom = a.to && WHOM_KEYS[a.to] ? t(WHOM_KEYS[a.to]) : a.to ?? ''
        const ids = a.user_ids ?? []
        out.push(ids.length
          ? t('slaEvents.notified', { whom, names: ids.map(names.userName).join(t('slaEvents.listSeparator')) })
          : t('slaEvents.notifiedNobody', { whom }))
        break
      }
      case 'mark_at_risk':
        out.push(t('slaEvents.markedAtRisk'))
        break
      case 'reassign': {
        const team = typeof a.team_id === 'number' ? names.teamLabel(a.team_id) : '—'
        out.push(a.done === false ? t('slaEvents.notReassigned', { team }) : t('slaEvents.reassigned', { team }))
        break
      }
      case 'raise_priority':
        out.push(a.done === false || !a.to
          ? t('slaEvents.priorityNotRaised', { from: a.from ?? '—' })
          : t('slaEvents.priorityRaised', { from: a.from ?? '—', to: a.to }))
        break
      default:
        out.push(a.type)
    }
  }
  if (!d.breach && d.due_at) out.push(t('slaEvents.due', { when: names.fmt(d.due_at) }))
  return out
}

/** The user ids an event names (to fetch their names). */
export function slaEventUserIds(d: SlaEventDetail | null): number[] {
  if (!d) return []
  return d.actions.flatMap((a) => (a.type === 'notify' ? (a.user_ids ?? []).filter((x) => typeof x === 'number') : []))
}

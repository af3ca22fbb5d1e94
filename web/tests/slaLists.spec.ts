// SLA in lists, the timeline and the compliance report (issue #5): the list cell ("due in 2 h
// 10 min", "overdue 35 min", paused) in both languages, the tooltip lines, ticket.sla timeline
// events, and the report's chart data, summary, date range and list links.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { i18n, applyLocale } from '../src/i18n'
import SlaComplianceCard from '../src/modules/sla-reports/SlaComplianceCard.vue'
import SlaFlag from '../src/modules/tickets/SlaFlag.vue'
import SlaQueuePage from '../src/modules/tickets/SlaQueuePage.vue'
import { mockFetch } from './helpers'
import type { TicketSlaSummary } from '../src/api/tickets'
import type { SlaReport } from '../src/api/slaReport'
import { formatSpan, metricLines, referenceNow, slaCell } from '../src/modules/tickets/slaListModel'
import { slaEventDetail, slaEventHeadline, slaEventLines, slaEventUserIds } from '../src/modules/tickets/slaEventModel'
import {
  barParts, chartGroups, compliance, dateRange, formatPercent, groupKey, groupLabel, lastDays, listRoute, summaryText, totalBars,
} from '../src/modules/sla-reports/reportModel'

const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {})
const NOW = Date.parse('2026-05-12T06:00:00Z')
const MIN = 60_000

function sla(over: Partial<TicketSlaSummary> = {}): TicketSlaSummary {
  return {
    flag: 'ok',
    due_at: null,
    policy_id: 2,
    response: { state: 'met', due_at: null, breached_at: null },
    resolution: { state: 'running', due_at: null, breached_at: null },
    evaluated_at: '2026-05-12T05:59:00Z',
    ...over,
  }
}

afterEach(() => {
  applyLocale('en')
  vi.unstubAllGlobals()
})

describe('formatSpan', () => {
  it('writes days and hours, hours and minutes, or minutes', () => {
    expect(formatSpan(t, 30 * 1000)).toBe('< 1 min')
    expect(formatSpan(t, 35 * MIN)).toBe('35 min')
    expect(formatSpan(t, 120 * MIN)).toBe('2 h')
    expect(formatSpan(t, 130 * MIN + 59_000)).toBe('2 h 10 min')
    expect(formatSpan(t, -(130 * MIN))).toBe('2 h 10 min')
    expect(formatSpan(t, (3 * 1440 + 4 * 60 + 12) * MIN)).toBe('3 d 4 h')
    expect(formatSpan(t, 2 * 1440 * MIN)).toBe('2 d')
    applyLocale('zh-CN')
    expect(formatSpan(t, 130 * MIN)).toBe('2 小时 10 分')
    expect(formatSpan(t, 35 * MIN)).toBe('35 分钟')
    expect(formatSpan(t, (1440 + 60) * MIN)).toBe('1 天 1 小时')
  })
})

describe('slaCell', () => {
  it('has nothing without an SLA', () => {
    expect(slaCell(t, null, NOW)).toEqual({ flag: 'none', kind: 'none', text: '', delta: null })
    expect(slaCell(t, sla({ flag: 'none' }), NOW).flag).toBe('none')
  })

  it('counts down to the due time of the running metrics', () => {
    const c = slaCell(t, sla({ due_at: new Date(NOW + 130 * MIN).toISOString() }), NOW)
    expect(c).toMatchObject({ flag: 'ok', kind: 'due', text: 'due in 2 h 10 min', delta: 130 * MIN })
    applyLocale('zh-CN')
    expect(slaCell(t, sla({ due_at: new Date(NOW + 130 * MIN).toISOString() }), NOW).text).toBe('2 小时 10 分后到期')
  })

  it('is overdue past the due time, before the worker flags it', () => {
    const c = slaCell(t, sla({ flag: 'at_risk', due_at: new Date(NOW - 35 * MIN).toISOString() }), NOW)
    expect(c).toMatchObject({ flag: 'at_risk', kind: 'overdue', text: 'overdue 35 min' })
  })

  it('counts a breach from the resolution, else the response, when nothing runs', () => {
    const both = sla({
      flag: 'breached',
      response: { state: 'breached', due_at: null, breached_at: new Date(NOW - 300 * MIN).toISOString() },
      resolution: { state: 'breached', due_at: null, breached_at: new Date(NOW - 35 * MIN).toISOString() },
    })
    expect(slaCell(t, both, NOW)).toMatchObject({ flag: 'breached', kind: 'overdue', text: 'overdue 35 min', delta: -35 * MIN })
    const response = sla({
      flag: 'breached',
      response: { state: 'breached', due_at: null, breached_at: new Date(NOW - 90 * MIN).toISOString() },
      resolution: { state: 'paused', due_at: null, breached_at: null },
    })
    expect(slaCell(t, response, NOW).text).toBe('overdue 1 h 30 min')
    applyLocale('zh-CN')
    expect(slaCell(t, response, NOW).text).toBe('已超时 1 小时 30 分')
  })

  it('a breached ticket counts from the earliest due time, which a breached clock keeps', () => {
    // As the tracker writes it: both breached, each with its due time, due_at the earliest.
    const s = sla({
      flag: 'breached',
      due_at: new Date(NOW - 535 * MIN).toISOString(),
      response: { state: 'breached', due_at: new Date(NOW - 535 * MIN).toISOString(), breached_at: new Date(NOW - 535 * MIN).toISOString() },
      resolution: { state: 'breached', due_at: new Date(NOW - 85 * MIN).toISOString(), breached_at: new Date(NOW - 85 * MIN).toISOString() },
    })
    expect(slaCell(t, s, NOW)).toMatchObject({ flag: 'breached', kind: 'overdue', text: 'overdue 8 h 55 min', delta: -535 * MIN })
  })

  it('a breached ticket whose resolution still runs shows that due time', () => {
    const s = sla({
      flag: 'breached',
      due_at: new Date(NOW + 60 * MIN).toISOString(),
      response: { state: 'breached', due_at: null, breached_at: new Date(NOW - 60 * MIN).toISOString() },
      resolution: { state: 'running', due_at: new Date(NOW + 60 * MIN).toISOString(), breached_at: null },
    })
    expect(slaCell(t, s, NOW)).toMatchObject({ flag: 'breached', kind: 'due', text: 'due in 1 h' })
  })

  it('says paused when the clock stands still', () => {
    const s = sla({ resolution: { state: 'paused', due_at: null, breached_at: null } })
    expect(slaCell(t, s, NOW)).toMatchObject({ kind: 'paused', text: 'paused' })
    applyLocale('zh-CN')
    expect(slaCell(t, s, NOW).text).toBe('已暂停')
  })

  it('shows the flag alone once every clock stopped', () => {
    const s = sla({ resolution: { state: 'met', due_at: null, breached_at: null } })
    expect(slaCell(t, s, NOW)).toMatchObject({ flag: 'ok', kind: 'none', text: '' })
  })

  it('measures from the server evaluation when the browser clock is behind it', () => {
    const later = NOW + 600 * MIN
    const s = sla({ flag: 'breached', due_at: null, evaluated_at: new Date(later).toISOString(),
      resolution: { state: 'breached', due_at: null, breached_at: new Date(later - 20 * MIN).toISOString() } })
    expect(referenceNow(NOW, s)).toBe(later)
    expect(referenceNow(later + MIN, s)).toBe(later + MIN)
    expect(slaCell(t, s, NOW).text).toBe('overdue 20 min')
  })
})

describe('metricLines', () => {
  it('names each metric with its state and time', () => {
    const s = sla({
      response: { state: 'breached', due_at: null, breached_at: '2026-05-12T02:35:00Z' },
      resolution: { state: 'running', due_at: '2026-05-12T10:00:00Z', breached_at: null },
    })
    const fmt = (iso: string) => iso.slice(11, 16)
    expect(metricLines(t, s, fmt)).toEqual(['First response: breached 02:35', 'Resolution: due 10:00'])
    expect(metricLines(t, sla({ response: null }), fmt)).toEqual(['Resolution: Running'])
    expect(metricLines(t, sla({ resolution: { state: 'paused', due_at: null, breached_at: null } }), fmt)).toEqual(['First response: Met', 'Resolution: Paused'])
    applyLocale('zh-CN')
    expect(metricLines(t, s, fmt)).toEqual(['首次响应：违约于 02:35', '解决：到期 10:00'])
  })
})

describe('ticket.sla timeline events', () => {
  const names = { userName: (id: number) => (id === 3 ? '李强' : `#${id}`), teamLabel: (id: number) => (id === 4 ? 'Network' : `#${id}`), fmt: (iso: string) => iso.slice(11, 16) }

  it('reads the detail, tolerating missing parts', () => {
    expect(slaEventDetail(null)).toBeNull()
    expect(slaEventDetail({ note: 'x' })).toBeNull()
    expect(slaEventDetail({ metric: 'resolution', percent: 100 })).toEqual({
      metric: 'resolution', team_id: null, percent: 100, breach: true, due_at: null, actions: [],
    })
  })

  it('describes a warning and what was done', () => {
    const d = slaEventDetail({
      metric: 'response', team_id: null, percent: 75, breach: false, due_at: '2026-05-12T08:30:00Z',
      actions: [{ type: 'notify', to: 'assignee', user_ids: [3] }, { type: 'mark_at_risk' }, { type: 'notify', to: 'operations', user_ids: [] }],
    })!
    expect(slaEventHeadline(t, d, names.teamLabel)).toBe('First response: 75% of the target used')
    expect(slaEventLines(t, d, names)).toEqual([
      'Notified the assignee: 李强', 'Marked at risk', 'Nobody to notify (operations management)', 'Due 08:30',
    ])
    expect(slaEventUserIds(d)).toEqual([3])
  })

  it('describes a breach with reassignment and a raised priority, in Chinese too', () => {
    const d = slaEventDetail({
      metric: 'resolution', team_id: null, percent: 100, breach: true, due_at: null,
      actions: [{ type: 'reassign', team_id: 4 }, { type: 'raise_priority', from: 'P3', to: 'P2' }, { type: 'notify', to: 'team_lead', user_ids: [3, 9] }],
    })!
    expect(slaEventHeadline(t, d, names.teamLabel)).toBe('Resolution: target breached')
    expect(slaEventLines(t, d, names)).toEqual(['Reassigned to Network', 'Priority raised P3 → P2', 'Notified the team lead: 李强, #9'])
    applyLocale('zh-CN')
    expect(slaEventHeadline(t, d, names.teamLabel)).toBe('解决：已违约')
    expect(slaEventLines(t, d, names)).toEqual(['已转派给 Network', '优先级已提升 P3 → P2', '已通知团队负责人：李强、#9'])
  })

  it('says when a reassignment or a priority raise changed nothing', () => {
    const d = slaEventDetail({
      metric: 'resolution', percent: 100, breach: true, reached_at: '2026-05-12T08:30:00Z', policy_id: 2,
      actions: [{ type: 'reassign', team_id: 4, done: false, error: 'team inactive' }, { type: 'raise_priority', from: 'P1', done: false }],
    })!
    expect(slaEventLines(t, d, names)).toEqual([
      'Not reassigned to Network (it already has the ticket or is inactive)', 'Priority not raised: P1 is the highest',
    ])
  })

  it('names an OLA with its team', () => {
    const d = slaEventDetail({ metric: 'ola', team_id: 4, percent: 50, breach: false, due_at: null, actions: [] })!
    expect(slaEventHeadline(t, d, names.teamLabel)).toBe('OLA · Network: 50% of the target used')
  })
})

const links = (extra: string) => ({
  response_met: `/api/v1/tickets?sla_metric=response&sla_outcome=met&sla_from=2026-04-13T00%3A00%3A00%2B08%3A00&sla_to=2026-05-13T00%3A00%3A00%2B08%3A00${extra}`,
  response_breached: `/api/v1/tickets?sla_metric=response&sla_outcome=breached&sla_from=2026-04-13T00%3A00%3A00%2B08%3A00&sla_to=2026-05-13T00%3A00%3A00%2B08%3A00${extra}`,
  resolution_met: `/api/v1/tickets?sla_metric=resolution&sla_outcome=met&sla_from=x&sla_to=y${extra}`,
  resolution_breached: `/api/v1/tickets?sla_metric=resolution&sla_outcome=breached&sla_from=x&sla_to=y${extra}`,
})

const REPORT: SlaReport = {
  from: '2026-04-13T00:00:00+08:00',
  to: '2026-05-13T00:00:00+08:00',
  group_by: 'priority',
  groups: [
    { key: 'P2', name: 'P2', name_zh: 'P2', response: { met: 38, breached: 2, compliance: 95 }, resolution: { met: 0, breached: 1, compliance: 0 }, tickets: links('&priority=P2') },
    { key: 'P3', name: 'P3', name_zh: 'P3', response: { met: 0, breached: 0, compliance: null }, resolution: { met: 3, breached: 0, compliance: 100 }, tickets: links('&priority=P3') },
  ],
  total: { response: { met: 38, breached: 2, compliance: 95 }, resolution: { met: 3, breached: 1, compliance: 75 }, tickets: links('') },
}

describe('the compliance report', () => {
  it('percentages as the server rounds them', () => {
    expect(compliance(39, 1)).toBe(97.5)
    expect(compliance(2, 1)).toBe(66.7)
    expect(compliance(0, 0)).toBeNull()
    expect(formatPercent(97.5)).toBe('97.5%')
    expect(formatPercent(100)).toBe('100%')
    expect(formatPercent(66.666)).toBe('66.7%')
    expect(formatPercent(null)).toBe('—')
  })

  it('maps groups to chart bars with their list links', () => {
    const groups = chartGroups(REPORT, (g) => groupLabel(t, 'priority', g, 'en'))
    expect(groups.map((g) => g.key)).toEqual(['P2', 'P3'])
    expect(groups[0].label).toBe('P2')
    expect(groups[0].bars.map((b) => [b.metric, b.met, b.breached, b.compliance])).toEqual([
      ['response', 38, 2, 95],
      ['resolution', 0, 1, 0],
    ])
    expect(groups[0].bars[0].links.breached).toContain('sla_outcome=breached')
    expect(groups[1].bars[0].compliance).toBeNull()
    expect(barParts(groups[0].bars[0])).toEqual({ met: 95, breached: 5 })
    expect(barParts(groups[1].bars[0])).toEqual({ met: 0, breached: 0 })
    // A missing compliance is computed from the counts.
    const odd = chartGroups({ ...REPORT, groups: [{ ...REPORT.groups[0], response: { met: 1, breached: 1, compliance: null } }] }, () => '')
    expect(odd[0].bars[0].compliance).toBe(50)
  })

  it('names groups: translated for none, Chinese names in zh-CN', () => {
    expect(groupKey({ key: null })).toBe('none')
    expect(groupKey({ key: 7 })).toBe('7')
    expect(groupLabel(t, 'team', { key: null, name: null }, 'en')).toBe('No team')
    expect(groupLabel(t, 'team', { key: 7, name: 'Network', name_zh: '网络组' }, 'en')).toBe('Network')
    expect(groupLabel(t, 'team', { key: 7, name: 'Network', name_zh: '网络组' }, 'zh-CN')).toBe('网络组')
    expect(groupLabel(t, 'service', { key: 9, name: null }, 'en')).toBe('#9')
    applyLocale('zh-CN')
    expect(groupLabel(t, 'category', { key: null, name: null }, 'zh-CN')).toBe('无类别')
  })

  it('sums up the totals in a sentence', () => {
    expect(summaryText(t, totalBars(REPORT))).toBe('First response: 95% met (38 of 40, 2 breached) · Resolution: 75% met (3 of 4, 1 breached)')
    const none = totalBars({ total: { ...REPORT.total, resolution: { met: 0, breached: 0, compliance: null } } })
    expect(summaryText(t, none)).toBe('First response: 95% met (38 of 40, 2 breached) · Resolution: nothing decided')
    applyLocale('zh-CN')
    expect(summaryText(t, totalBars(REPORT))).toBe('首次响应：达成率 95%（共 40 个，达成 38 个，违约 2 个） · 解决：达成率 75%（共 4 个，达成 3 个，违约 1 个）')
  })

  it('turns the API list links into routes of the agent ticket list', () => {
    expect(listRoute(REPORT.groups[0].tickets.response_breached)).toEqual({
      path: '/tickets',
      query: {
        view: 'all', sla_metric: 'response', sla_outcome: 'breached',
        sla_from: '2026-04-13T00:00:00+08:00', sla_to: '2026-05-13T00:00:00+08:00', priority: 'P2',
      },
    })
    expect(listRoute('/api/v1/tickets?team_id=none&service_id=7&category_id=none&kind=incident&bogus=1')).toEqual({
      path: '/tickets', query: { view: 'all', team: 'none', service: '7', category: 'none', kind: 'incident' },
    })
    expect(listRoute('http://elsewhere/api/v1/tickets?priority=P1')?.query).toEqual({ view: 'all', priority: 'P1' })
    expect(listRoute('/api/v1/users?x=1')).toBeNull()
    expect(listRoute('')).toBeNull()
    expect(listRoute(null)).toBeNull()
  })

  it('covers the last days up to the end of today in the user zone', () => {
    // 2026-05-12 23:30 in Shanghai is 15:30 UTC.
    const r = lastDays(30, 'Asia/Shanghai', new Date('2026-05-12T15:30:00Z'))
    expect(r).toEqual({ from: '2026-04-13T00:00:00+08:00', to: '2026-05-13T00:00:00+08:00', fromDate: '2026-04-13', toDate: '2026-05-12' })
    // Past midnight in Shanghai it is already the 13th.
    expect(lastDays(1, 'Asia/Shanghai', new Date('2026-05-12T16:30:00Z')).fromDate).toBe('2026-05-13')
    expect(dateRange('2026-03-01', '2026-03-31', 'UTC')).toEqual({ from: '2026-03-01T00:00:00+00:00', to: '2026-04-01T00:00:00+00:00' })
  })
})

describe('components', () => {
  it('SlaFlag shows the flag and the time, the metrics in its title', () => {
    setActivePinia(createPinia())
    const s = sla({
      flag: 'breached',
      resolution: { state: 'breached', due_at: null, breached_at: new Date(NOW - 35 * MIN).toISOString() },
    })
    const w = mount(SlaFlag, { props: { sla: s, now: NOW }, global: { plugins: [i18n] } })
    const root = w.find('[data-test="sla-flag"]')
    expect(root.attributes('data-key')).toBe('breached')
    expect(root.attributes('data-kind')).toBe('overdue')
    expect(w.find('[data-test="sla-flag-tag"]').text()).toBe('Breached')
    expect(w.find('[data-test="sla-due-text"]').text()).toBe('overdue 35 min')
    expect(root.attributes('title')).toMatch(/^First response: Met\nResolution: breached /)
    w.unmount()
    const none = mount(SlaFlag, { props: { sla: null, now: NOW }, global: { plugins: [i18n] } })
    expect(none.find('[data-test="sla-flag"]').attributes('data-key')).toBe('none')
    none.unmount()
  })

  it('the home card asks for the last 30 days by priority, shows the numbers and opens a list on a click', async () => {
    setActivePinia(createPinia())
    const calls = mockFetch(() => ({ status: 200, body: REPORT }))
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/', component: { template: '<div />' } },
        { path: '/tickets', component: { template: '<div />' } },
        { path: '/reports/sla', component: { template: '<div />' } },
      ],
    })
    await router.push('/')
    const w = mount(SlaComplianceCard, { global: { plugins: [i18n, router] } })
    await flushPromises()
    expect(calls).toHaveLength(1)
    const url = new URL(calls[0].url, 'http://x')
    expect(url.pathname).toBe('/api/v1/reports/sla')
    expect(url.searchParams.get('group_by')).toBe('priority')
    const from = Date.parse(url.searchParams.get('from')!)
    const to = Date.parse(url.searchParams.get('to')!)
    expect((to - from) / 86_400_000).toBe(30)
    expect(to).toBeGreaterThan(Date.now())
    expect(w.find('[data-test="home-sla-summary"]').text()).toBe('First response: 95% met (38 of 40, 2 breached) · Resolution: 75% met (3 of 4, 1 breached)')
    const bars = w.findAll('[data-test="sla-chart-bar"]')
    expect(bars.map((b) => [b.attributes('data-key'), b.find('[data-test="sla-chart-percent"]').text()])).toEqual([
      ['P2-response', '95%'], ['P2-resolution', '0%'], ['P3-response', '—'], ['P3-resolution', '100%'],
    ])
    const rows = w.findAll('[data-test="sla-table-row"]')
    expect(rows.map((r) => r.attributes('data-key'))).toEqual(['P2', 'P3', 'total'])
    expect(rows[0].find('[data-key="response-breached"]').text()).toBe('2')
    expect(rows[2].find('[data-key="resolution-compliance"]').text()).toBe('75%')
    await w.find('[data-key="P2-response"] [data-part="breached"]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.path).toBe('/tickets')
    expect(router.currentRoute.value.query).toMatchObject({ view: 'all', sla_metric: 'response', sla_outcome: 'breached', priority: 'P2' })
    w.unmount()
  })

  it('the at-risk queue asks for open attention tickets by SLA due, follows its filters and reloads every 30 s', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] })
    try {
      setActivePinia(createPinia())
      const late = { id: 1, number: 'INC-000001', title: 'VPN down', status: 'assigned', priority: 'P2', assignee_team_id: null, assignee_id: null,
        sla: sla({ flag: 'breached', due_at: new Date(Date.now() - 35 * MIN).toISOString() }) }
      const calls = mockFetch((c) => (c.url.startsWith('/api/v1/tickets?') ? { status: 200, body: { items: [late], next_cursor: null } } : { status: 200, body: { items: [], next_cursor: null } }))
      const router = createRouter({
        history: createMemoryHistory(),
        routes: [{ path: '/tickets/sla', name: 'tickets-sla', component: SlaQueuePage }, { path: '/tickets/:number', component: { template: '<div />' } }],
      })
      await router.push('/tickets/sla?flag=breached&team=3')
      const w = mount(SlaQueuePage, { global: { plugins: [i18n, router] } })
      await flushPromises()
      const lists = () => calls.filter((c) => c.url.startsWith('/api/v1/tickets?'))
      expect(lists()).toHaveLength(1)
      const q = new URL(lists()[0].url, 'http://x').searchParams
      expect(Object.fromEntries(q)).toMatchObject({ sla: 'breached', open: 'true', sort: 'sla_due', team_id: '3' })
      const row = w.find('[data-test="sla-queue-row"]')
      expect(row.attributes('data-key')).toBe('INC-000001')
      expect(row.attributes('data-flag')).toBe('breached')
      expect(w.find('[data-test="sla-due-text"]').text()).toBe('overdue 35 min')
      await vi.advanceTimersByTimeAsync(30_000)
      await flushPromises()
      expect(lists()).toHaveLength(2)
      // Turning auto-refresh off stops it.
      await w.find('[data-test="sla-queue-auto"]').trigger('click')
      await vi.advanceTimersByTimeAsync(60_000)
      await flushPromises()
      expect(lists()).toHaveLength(2)
      w.unmount()
    } finally {
      vi.useRealTimers()
    }
  })
})

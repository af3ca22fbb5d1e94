// The SLA panel of the ticket page: business durations in both languages, the tone of a metric
// (at risk, breached, ...), threshold markers, the why-rows of the intervals, and the panel
// itself against a fake API (refresh on a new ticket stamp and every 60 s).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { i18n, applyLocale } from '../src/i18n'
import type { SlaMetric, TicketSla } from '../src/api/ticketSla'
import {
  atRiskPercents, barPercent, formatBusiness, intervalKind, intervalText, metricLabel, reasonLabel, slaTone, thresholdMarks, timeText,
} from '../src/modules/tickets/slaModel'
import SlaPanel from '../src/modules/tickets/SlaPanel.vue'
import { mockFetch } from './helpers'

const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {})

function metric(over: Partial<SlaMetric> = {}): SlaMetric {
  return {
    metric: 'resolution',
    team_id: null,
    target_minutes: 240,
    elapsed_minutes: 40,
    remaining_minutes: 200,
    percent: 16,
    state: 'running',
    running: true,
    due: '2026-11-29T09:00:00Z',
    due_local: '2026-11-29T17:00:00+08:00',
    breached_at: null,
    stopped_at: null,
    thresholds: [
      { percent: 50, at: '2026-11-29T07:00:00Z', reached: false },
      { percent: 75, at: '2026-11-29T08:00:00Z', reached: false },
      { percent: 100, at: '2026-11-29T09:00:00Z', reached: false },
    ],
    intervals: [{ from: '2026-11-29T05:00:00Z', to: '2026-11-29T05:40:00Z', counted: true, reason: null, business_minutes: 40 }],
    ...over,
  }
}

beforeEach(() => applyLocale('en'))
afterEach(() => {
  applyLocale('en')
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('business durations', () => {
  it('are hours and minutes, remaining or overdue, in English', () => {
    expect(formatBusiness(t, 200)).toBe('3 h 20 min')
    expect(formatBusiness(t, 120)).toBe('2 h')
    expect(formatBusiness(t, 25)).toBe('25 min')
    expect(formatBusiness(t, 0)).toBe('0 min')
    expect(formatBusiness(t, -25)).toBe('25 min')
    expect(timeText(t, metric())).toBe('3 h 20 min left')
    expect(timeText(t, metric({ state: 'breached', remaining_minutes: -25, elapsed_minutes: 265 }))).toBe('25 min overdue')
    expect(timeText(t, metric({ state: 'met', remaining_minutes: 10, elapsed_minutes: 5 }))).toBe('Met in 5 min')
    expect(timeText(t, metric({ state: 'cancelled' }))).toBe('Stopped')
    // Paused keeps showing what is left.
    expect(timeText(t, metric({ state: 'paused', running: false, due: null }))).toBe('3 h 20 min left')
  })

  it('read naturally in Chinese', () => {
    applyLocale('zh-CN')
    expect(timeText(t, metric())).toBe('还剩 3 小时 20 分')
    expect(timeText(t, metric({ state: 'breached', remaining_minutes: -25 }))).toBe('超时 25 分钟')
    expect(timeText(t, metric({ remaining_minutes: 60 }))).toBe('还剩 1 小时')
  })
})

describe('metric labels', () => {
  it('name the metric, OLA with its team', () => {
    const team = (id: number) => (id === 4 ? 'Network' : `#${id}`)
    expect(metricLabel(t, { metric: 'response', team_id: null }, team)).toBe('First response')
    expect(metricLabel(t, { metric: 'resolution', team_id: null }, team)).toBe('Resolution')
    expect(metricLabel(t, { metric: 'ola', team_id: 4 }, team)).toBe('OLA · Network')
    applyLocale('zh-CN')
    expect(metricLabel(t, { metric: 'response', team_id: null }, team)).toBe('首次响应')
    expect(metricLabel(t, { metric: 'resolution', team_id: null }, team)).toBe('解决')
  })
})

describe('tone', () => {
  it('is ok below 75 %, at risk from 75 % or past a threshold that marks at risk, breached past the target', () => {
    expect(slaTone(metric())).toBe('ok')
    expect(slaTone(metric({ percent: 74 }))).toBe('ok')
    expect(slaTone(metric({ percent: 75 }))).toBe('risk')
    expect(slaTone(metric({ percent: 90, state: 'paused', running: false }))).toBe('risk')
    const past50 = metric({ percent: 55, thresholds: [{ percent: 50, at: null, reached: true }] })
    expect(slaTone(past50)).toBe('ok')
    expect(slaTone(past50, [50])).toBe('risk')
    expect(slaTone(metric({ state: 'breached', percent: 110, remaining_minutes: -24 }))).toBe('breached')
    expect(slaTone(metric({ remaining_minutes: -1 }))).toBe('breached')
  })

  it('is met or cancelled once the clock stopped in time', () => {
    expect(slaTone(metric({ state: 'met', percent: 90 }))).toBe('met')
    expect(slaTone(metric({ state: 'cancelled', percent: 80 }))).toBe('cancelled')
  })

  it('takes the at-risk thresholds from the policy', () => {
    expect(
      atRiskPercents([
        { percent: 50, actions: [{ type: 'notify' }] },
        { percent: 75, actions: [{ type: 'notify' }, { type: 'mark_at_risk' }] },
        { percent: 100, actions: [] },
      ]),
    ).toEqual([75])
  })
})

describe('progress bar', () => {
  it('fills up to 100 % and places the thresholds', () => {
    expect(barPercent(42)).toBe(42)
    expect(barPercent(130)).toBe(100)
    expect(barPercent(-3)).toBe(0)
    expect(barPercent(Number.NaN)).toBe(0)
    const marks = thresholdMarks(
      metric({ thresholds: [{ percent: 50, at: null, reached: true }, { percent: 75, at: null, reached: false }, { percent: 150, at: null, reached: false }] }),
      [75],
    )
    expect(marks).toEqual([
      { percent: 50, left: 50, reached: true, atRisk: false },
      { percent: 75, left: 75, reached: false, atRisk: true },
      { percent: 150, left: 100, reached: false, atRisk: false },
    ])
  })
})

describe('why-rows', () => {
  it('tell counted, paused (pending, another team) and stopped apart with the reason translated', () => {
    expect(intervalKind({ counted: true, reason: null })).toBe('counted')
    expect(intervalKind({ counted: false, reason: 'pending:awaiting_requester' })).toBe('paused')
    expect(intervalKind({ counted: false, reason: 'other_team' })).toBe('paused')
    expect(intervalKind({ counted: false, reason: 'responded' })).toBe('stopped')
    expect(intervalKind({ counted: false, reason: 'resolved' })).toBe('stopped')
    expect(intervalText(t, { counted: true, reason: null })).toBe('Counted')
    expect(intervalText(t, { counted: false, reason: 'pending:awaiting_requester' })).toBe('Paused: pending (Awaiting requester)')
    expect(intervalText(t, { counted: false, reason: 'responded' })).toBe('Stopped: responded')
    expect(reasonLabel(t, 'pending:some_new_reason')).toBe('pending (some_new_reason)')
    expect(reasonLabel(t, 'something_else')).toBe('something_else')
    applyLocale('zh-CN')
    expect(intervalText(t, { counted: false, reason: 'pending:awaiting_requester' })).toBe('暂停：挂起（等待申请人）')
    expect(intervalText(t, { counted: false, reason: 'other_team' })).toBe('暂停：在其他团队')
    expect(intervalText(t, { counted: true, reason: null })).toBe('计入')
  })
})

describe('SlaPanel', () => {
  const answer = (over: Partial<TicketSla> = {}): TicketSla => ({
    number: 'INC-000001',
    policy: { id: 1, name: 'P1 严重 Critical' },
    calendar: { id: 1, name: '24×7', zone: 'Asia/Shanghai' },
    metrics: [
      metric({ metric: 'response', target_minutes: 15, elapsed_minutes: 12, remaining_minutes: 3, percent: 80 }),
      metric({
        state: 'paused',
        running: false,
        due: null,
        due_local: null,
        intervals: [
          { from: '2026-11-29T05:00:00Z', to: '2026-11-29T05:40:00Z', counted: true, reason: null, business_minutes: 40 },
          { from: '2026-11-29T05:40:00Z', to: '2026-11-29T06:00:00Z', counted: false, reason: 'pending:awaiting_requester', business_minutes: 20 },
        ],
      }),
    ],
    ...over,
  })
  const policy = { id: 1, version: 1, thresholds: [{ percent: 75, actions: [{ type: 'mark_at_risk' }] }] }

  function mountPanel(stamp: unknown = 1) {
    setActivePinia(createPinia())
    return mount(SlaPanel, { props: { number: 'INC-000001', stamp }, global: { plugins: [i18n] } })
  }

  function fake(sla: () => TicketSla) {
    return mockFetch((c) => {
      if (c.url.endsWith('/api/v1/tickets/INC-000001/sla')) return { status: 200, body: sla() }
      if (c.url.endsWith('/api/v1/sla-policies/1')) return { status: 200, body: policy }
      return { status: 200, body: { items: [], next_cursor: null } }
    })
  }

  it('shows a row per metric with state, time, due and the why table', async () => {
    fake(() => answer())
    const w = mountPanel()
    await flushPromises()
    const rows = w.findAll('[data-test="sla-metric"]')
    expect(rows.map((r) => [r.attributes('data-key'), r.attributes('data-state'), r.attributes('data-tone')])).toEqual([
      ['response', 'running', 'risk'],
      ['resolution', 'paused', 'ok'],
    ])
    expect(rows[0].find('[data-test="sla-time"]').text()).toBe('3 min left')
    expect(rows[0].find('[data-test="sla-due"]').text()).toMatch(/^Due .* · 24×7$/)
    expect(rows[1].find('[data-test="sla-state"]').text()).toBe('Paused')
    expect(rows[1].find('[data-test="sla-due"]').text()).toMatch(/Clock paused/)
    expect(rows[0].findAll('[data-test="sla-threshold"]')).toHaveLength(3)
    expect(rows[1].find('[data-test="sla-why"]').exists()).toBe(false)
    await rows[1].find('[data-test="sla-why-toggle"]').trigger('click')
    const ivs = rows[1].findAll('[data-test="sla-interval"]')
    expect(ivs.map((r) => r.attributes('data-kind'))).toEqual(['counted', 'paused'])
    expect(ivs[1].find('[data-test="sla-interval-clock"]').text()).toBe('Paused: pending (Awaiting requester)')
    w.unmount()
  })

  it('says so when no SLA applies', async () => {
    fake(() => answer({ policy: null, calendar: null, metrics: [] }))
    const w = mountPanel()
    await flushPromises()
    expect(w.find('[data-test="sla-none"]').text()).toBe('No SLA applies to this ticket.')
    expect(w.find('[data-test="sla-metric"]').exists()).toBe(false)
    w.unmount()
  })

  it('hides itself on 403', async () => {
    mockFetch(() => ({ status: 403, body: { error: { code: 'forbidden', message: 'no' } } }))
    const w = mountPanel()
    await flushPromises()
    expect(w.find('[data-test="sla-panel"]').exists()).toBe(false)
    w.unmount()
  })

  it('reloads when the ticket changes and every 60 seconds, asking for the policy once', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const calls = fake(() => answer())
    const w = mountPanel(1)
    await flushPromises()
    const slaCalls = () => calls.filter((c) => c.url.endsWith('/sla')).length
    expect(slaCalls()).toBe(1)
    await w.setProps({ stamp: 2 })
    await flushPromises()
    expect(slaCalls()).toBe(2)
    vi.advanceTimersByTime(60_000)
    await flushPromises()
    expect(slaCalls()).toBe(3)
    expect(calls.filter((c) => c.url.endsWith('/sla-policies/1'))).toHaveLength(1)
    w.unmount()
    vi.advanceTimersByTime(120_000)
    await flushPromises()
    expect(slaCalls()).toBe(3)
  })
})

// The SLA policy pages' model (modules/sla-admin/policyModel.ts): targets and units, the
// conditions and thresholds in words in both languages, the form <-> API body, where server
// errors go, reordering; and the policy API calls (a new policy leaves out empty targets).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { slaPoliciesApi, type PolicyConditions, type SlaPolicy } from '../src/api/sla'
import { i18n } from '../src/i18n'
import {
  checkPolicyForm,
  conditionsSummary,
  formatDuration,
  policyBody,
  policyErrorPlace,
  policyForm,
  reorder,
  splitTarget,
  targetMinutes,
  thresholdChip,
  thresholdText,
} from '../src/modules/sla-admin/policyModel'
import { mockFetch } from './helpers'

const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {})

const none: PolicyConditions = { kinds: [], priorities: [], service_ids: [], category_ids: [], organisations: [] }

function policy(over: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    id: 1,
    name: 'P2 高 High',
    position: 20,
    active: true,
    conditions: { ...none, kinds: ['incident', 'request'], priorities: ['P2'] },
    calendar_id: 1,
    response_minutes: 30,
    resolution_minutes: 480,
    ola: [{ team_id: 3, minutes: 120 }],
    pause_reasons: ['awaiting_requester'],
    thresholds: [{ percent: 50, actions: [{ type: 'notify', to: 'team_lead' }, { type: 'mark_at_risk' }] }],
    version: 4,
    created_at: '',
    updated_at: '',
    ...over,
  }
}

describe('targets: number + unit, stored as minutes', () => {
  it('splits minutes into the largest exact unit (a business day is 8 h)', () => {
    expect(splitTarget(null)).toEqual({ value: null, unit: 'hours' })
    expect(splitTarget(15)).toEqual({ value: 15, unit: 'minutes' })
    expect(splitTarget(90)).toEqual({ value: 90, unit: 'minutes' })
    expect(splitTarget(240)).toEqual({ value: 4, unit: 'hours' })
    expect(splitTarget(480)).toEqual({ value: 1, unit: 'days' })
    expect(splitTarget(1440)).toEqual({ value: 3, unit: 'days' })
    expect(splitTarget(2400)).toEqual({ value: 5, unit: 'days' })
    expect(splitTarget(600)).toEqual({ value: 10, unit: 'hours' })
  })

  it('converts back, rounding to whole minutes; empty is no target', () => {
    expect(targetMinutes({ value: 1, unit: 'hours' })).toBe(60)
    expect(targetMinutes({ value: 1.5, unit: 'hours' })).toBe(90)
    expect(targetMinutes({ value: 2, unit: 'days' })).toBe(960)
    expect(targetMinutes({ value: 0.33, unit: 'hours' })).toBe(20)
    expect(targetMinutes({ value: 45, unit: 'minutes' })).toBe(45)
    expect(targetMinutes({ value: null, unit: 'hours' })).toBeNull()
    for (const m of [1, 15, 59, 60, 90, 480, 1440, 2400, 527040]) expect(targetMinutes(splitTarget(m))).toBe(m)
  })

  it('shows durations as hours and minutes in both languages', () => {
    i18n.global.locale.value = 'en'
    expect(formatDuration(t, 15)).toBe('15 min')
    expect(formatDuration(t, 240)).toBe('4 h')
    expect(formatDuration(t, 90)).toBe('1 h 30 min')
    expect(formatDuration(t, null)).toBe('None')
    i18n.global.locale.value = 'zh-CN'
    expect(formatDuration(t, 90)).toBe('1 小时 30 分钟')
    expect(formatDuration(t, null)).toBe('无')
    i18n.global.locale.value = 'en'
  })
})

describe('conditions and thresholds in words', () => {
  const labels = (locale: string) => ({
    t,
    locale,
    kind: (k: string) => t(`sla.policies.kind.${k}`),
    category: (id: number) => (id === 7 ? (locale === 'zh-CN' ? '网络' : 'Network') : `#${id}`),
  })
  afterEach(() => {
    i18n.global.locale.value = 'en'
  })

  it('summarises what a policy covers', () => {
    i18n.global.locale.value = 'en'
    expect(conditionsSummary(none, labels('en'))).toBe('Any ticket')
    expect(conditionsSummary({ ...none, kinds: ['incident', 'request'], priorities: ['P2'] }, labels('en'))).toBe(
      'Incident or Service request, priority P2',
    )
    expect(
      conditionsSummary({ kinds: ['incident'], priorities: ['P1', 'P2'], category_ids: [7], service_ids: [12], organisations: ['ACME'] }, labels('en')),
    ).toBe('Incident, priority P1 or P2, in Network, service #12, for ACME')
    expect(conditionsSummary({ ...none, priorities: ['P3'] }, labels('en'))).toBe('Any ticket, priority P3')
  })

  it('summarises in Chinese', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(conditionsSummary({ ...none, kinds: ['incident', 'request'], priorities: ['P2'], category_ids: [7] }, labels('zh-CN'))).toBe(
      '事件或服务请求，优先级 P2，类别为 网络',
    )
  })

  it('writes thresholds as chips and sentences', () => {
    i18n.global.locale.value = 'en'
    const team = (id: number) => (id === 3 ? 'Network Ops' : `#${id}`)
    const th = policy().thresholds[0]
    expect(thresholdChip(t, th, team)).toBe('50 %: Team lead, At risk')
    expect(thresholdText(t, 'en', th, team)).toBe('50 %: notify: Team lead and mark the ticket at risk')
    expect(thresholdChip(t, { percent: 100, actions: [{ type: 'reassign', team_id: 3 }, { type: 'raise_priority' }] }, team)).toBe(
      '100 %: → Network Ops, Priority ↑',
    )
    expect(thresholdChip(t, { percent: 75, actions: [] }, team)).toBe('75 %')
  })
})

describe('the form and the API body', () => {
  it('round-trips a policy', () => {
    const p = policy()
    const f = policyForm(p)
    expect(f.response).toEqual({ value: 30, unit: 'minutes' })
    expect(f.resolution).toEqual({ value: 1, unit: 'days' })
    expect(f.thresholds[0].actions).toEqual([
      { type: 'notify', to: 'team_lead', team_id: null },
      { type: 'mark_at_risk', to: 'assignee', team_id: null },
    ])
    const b = policyBody(f)
    expect(b).toEqual({
      name: p.name,
      active: true,
      conditions: p.conditions,
      calendar_id: 1,
      response_minutes: 30,
      resolution_minutes: 480,
      ola: p.ola,
      pause_reasons: p.pause_reasons,
      thresholds: p.thresholds,
    })
  })

  it('sends an emptied target as null, service ids as numbers, reassign with its team only', () => {
    const f = policyForm(policy())
    f.resolution.value = null
    f.service_ids = ['12', ' 7 ']
    f.organisations = [' ACME ', '']
    f.thresholds = [{ percent: 80, actions: [{ type: 'reassign', to: 'assignee', team_id: 5 }] }]
    const b = policyBody(f)
    expect(b.resolution_minutes).toBeNull()
    expect(b.conditions.service_ids).toEqual([12, 7])
    expect(b.conditions.organisations).toEqual(['ACME'])
    expect(b.thresholds).toEqual([{ percent: 80, actions: [{ type: 'reassign', team_id: 5 }] }])
  })

  it('a new policy starts with the server defaults and the given calendar', () => {
    const f = policyForm(null, 2)
    expect(f.calendar_id).toBe(2)
    expect(f.pause_reasons).toEqual(['awaiting_requester', 'awaiting_vendor'])
    expect(f.thresholds.map((x) => x.percent)).toEqual([50, 75, 100])
    expect(checkPolicyForm(f)).toEqual([{ place: 'name', key: 'validation.required' }])
  })

  it('checks rows before sending', () => {
    const f = policyForm(null, null)
    f.name = 'x'
    f.service_ids = ['abc']
    f.ola = [{ team_id: null, minutes: 60 }]
    f.thresholds = [{ percent: 50, actions: [{ type: 'reassign', to: 'assignee', team_id: null }] }, { percent: null, actions: [] }]
    expect(checkPolicyForm(f).map((p) => p.place)).toEqual(['calendar_id', 'conditions.service_ids', 'ola.0', 'thresholds.0', 'thresholds.1'])
  })

  it('places server errors at their field or row', () => {
    expect(policyErrorPlace('conditions.priorities[0]')).toBe('conditions.priorities')
    expect(policyErrorPlace('conditions.category_ids[2]')).toBe('conditions.category_ids')
    expect(policyErrorPlace('conditions')).toBe('conditions')
    expect(policyErrorPlace('thresholds[1].percent')).toBe('thresholds.1')
    expect(policyErrorPlace('thresholds[0].actions[1].team_id')).toBe('thresholds.0')
    expect(policyErrorPlace('ola[0].team_id')).toBe('ola.0')
    expect(policyErrorPlace('ola')).toBe('ola')
    expect(policyErrorPlace('pause_reasons[1]')).toBe('pause_reasons')
    expect(policyErrorPlace('calendar_id')).toBe('calendar_id')
    expect(policyErrorPlace('resolution_minutes')).toBe('resolution_minutes')
    expect(policyErrorPlace('version')).toBeNull()
    expect(policyErrorPlace('body')).toBeNull()
  })
})

describe('reordering', () => {
  const rows = [10, 20, 30, 40].map((position, i) => ({ id: i + 1, position }))
  it('swaps and rewrites only the positions that change', () => {
    const r = reorder(rows, 3, -1)!
    expect(r.order.map((x) => x.id)).toEqual([1, 2, 4, 3])
    expect(r.changes.map((c) => [c.item.id, c.position])).toEqual([
      [4, 30],
      [3, 40],
    ])
    expect(reorder(rows, 0, -1)).toBeNull()
    expect(reorder(rows, 3, 1)).toBeNull()
  })
  it('normalises gaps and ties', () => {
    const r = reorder([{ id: 1, position: 5 }, { id: 2, position: 5 }, { id: 3, position: 60 }], 2, -1)!
    expect(r.order.map((x) => x.id)).toEqual([1, 3, 2])
    expect(r.changes.map((c) => [c.item.id, c.position])).toEqual([
      [1, 10],
      [3, 20],
      [2, 30],
    ])
  })
})

describe('policy API calls', () => {
  beforeEach(() => vi.unstubAllGlobals())
  afterEach(() => vi.unstubAllGlobals())

  it('creates without empty targets, patches nulls, asks /match', async () => {
    const calls = mockFetch((c) => ({ status: c.method === 'POST' && c.url.endsWith('/match') ? 200 : 201, body: c.url.endsWith('/match') ? { policy: null } : policy() }))
    const body = policyBody(policyForm(policy({ resolution_minutes: null })))
    await slaPoliciesApi.create(body)
    expect(calls[0].url).toBe('/api/v1/sla-policies')
    expect(calls[0].body).not.toHaveProperty('resolution_minutes')
    expect((calls[0].body as Record<string, unknown>).response_minutes).toBe(30)
    await slaPoliciesApi.update(1, { resolution_minutes: null, version: 4 })
    expect(calls[1]).toMatchObject({ method: 'PATCH', url: '/api/v1/sla-policies/1', body: { resolution_minutes: null, version: 4 } })
    const r = await slaPoliciesApi.match({ kind: 'incident', priority: 'P2', category_id: 9 })
    expect(r.policy).toBeNull()
    expect(calls[2]).toMatchObject({ method: 'POST', url: '/api/v1/sla-policies/match', body: { kind: 'incident', priority: 'P2', category_id: 9 } })
  })
})

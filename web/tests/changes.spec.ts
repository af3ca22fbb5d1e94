// Problem and change management (issue #7) in the browser: the risk questionnaire (live score,
// level, approval path, the admin's JSON checks), change times in the user's zone, transition
// requirements and roles, approval steps, conflicts, the change calendar (days, overlaps,
// lanes), the problem models (RCA patch, incident numbers, candidates prefill), maintenance
// ranges, the per-module lazy messages and the API calls; the questionnaire and the known-error
// panel mounted.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { applyLocale, i18n } from '../src/i18n'
import type { Approval, ApprovalStep, CalendarAnswer, ChangeInfo, Questionnaire } from '../src/api/changes'
import { changeSettingsApi, changesApi, freezeWindowsApi } from '../src/api/changes'
import { problemsApi, type CandidateGroup, type ProblemInfo } from '../src/api/problems'
import { approvalPath, checkQuestionnaireJson, cleanAnswers, levelOf, maxScore, optionLabel, questionText, riskScore } from '../src/modules/changes/riskModel'
import {
  addMinutesWall, approvalsGiven, approvalsNeeded, approverRows, awaitsMe, conflictChange, hasRecordField, holdsRole, isCabMember, isoToWall,
  openStep, pathIndex, planEditable, recordRequirements, sameInstant, sortConflicts, statePath, stepDisplayState, tabOfField, wallToIso, windowText,
} from '../src/modules/changes/changeModel'
import { addMonths, changeColour, dayBlocks, dayContent, freezeBands, monthWeeks, rangeOf, weekDays } from '../src/modules/changes/calendarModel'
import { badRanges, validRange } from '../src/modules/changes/admin/windowModel'
import { templateForm, templateText } from '../src/modules/changes/templateModel'
import {
  groupKey, openIncidents, parseIncidentNumbers, prefillFromGroup, publishBlocker, rcaForm, rcaPatch, sameIds, splitRequired,
} from '../src/modules/problems/problemModel'
import { changesLazy } from '../src/modules/changes/lazy'
import { problemsLazy } from '../src/modules/problems/lazy'
import RiskQuestionnaire from '../src/modules/changes/RiskQuestionnaire.vue'
import { mockFetch } from './helpers'

const ZONE = 'Asia/Shanghai'

// The questionnaire Yunwei ships (src/change/risk.cpp), shortened to three questions.
const Q: Questionnaire = {
  questions: [
    {
      key: 'impact_scope', text: 'Which services and users does the change affect?', text_zh: '影响范围：变更影响哪些业务系统和用户？',
      options: [
        { value: 'single_system', label: 'One non-critical system', label_zh: '单个非核心系统', score: 0 },
        { value: 'core_service', label: 'A core business service', label_zh: '核心业务系统', score: 25 },
        { value: 'external', label: 'Customer-facing', label_zh: '', score: 30 },
      ],
    },
    {
      key: 'backout', text: 'Can it be backed out?', text_zh: '',
      options: [
        { value: 'tested', label: 'Tested', label_zh: '有回退方案且已验证', score: 0 },
        { value: 'impossible', label: 'Impossible', label_zh: '无法回退', score: 25 },
      ],
    },
    {
      key: 'critical_components', text: 'Production database or core network?', text_zh: '是否涉及生产数据库或核心网络？',
      options: [
        { value: 'none', label: 'Neither', label_zh: '均不涉及', score: 0 },
        { value: 'both', label: 'Both', label_zh: '两者都涉及', score: 20 },
      ],
    },
  ],
  thresholds: { medium_from: 25, high_from: 55 },
}

function change(over: Partial<ChangeInfo> = {}): ChangeInfo {
  return {
    change_type: 'normal', template_id: null, reason: '', implementation_plan: '', backout_plan: '', test_plan: '',
    planned_start: null, planned_end: null, actual_start: null, actual_end: null, ci_ids: [], cis: [], affected_services: [],
    risk: null, approval: { state: '', round: 0, steps: [] }, override: null, review: null, retrospective_review: false, ...over,
  }
}

function step(over: Partial<ApprovalStep> = {}): ApprovalStep {
  return { name: 'CAB approval', name_zh: '变更咨询委员会（CAB）审批', group: 'cab', rule: 'majority', state: 'pending', approvers: [], awaiting: [], decisions: [], ...over }
}

afterEach(() => {
  vi.unstubAllGlobals()
  applyLocale('en')
})

describe('risk questionnaire', () => {
  it('adds up the chosen options and finds the level by the thresholds', () => {
    expect(maxScore(Q)).toBe(75)
    expect(riskScore(Q, {})).toMatchObject({ score: 0, level: 'low', answered: 0, total: 3, complete: false })
    expect(riskScore(Q, { impact_scope: 'single_system', backout: 'tested', critical_components: 'none' })).toMatchObject({ score: 0, level: 'low', complete: true })
    expect(riskScore(Q, { impact_scope: 'core_service', backout: 'tested', critical_components: 'none' })).toMatchObject({ score: 25, level: 'medium' })
    expect(riskScore(Q, { impact_scope: 'external', backout: 'impossible', critical_components: 'none' })).toMatchObject({ score: 55, level: 'high' })
    // An unknown value counts as unanswered.
    expect(riskScore(Q, { impact_scope: 'galaxy' })).toMatchObject({ score: 0, answered: 0 })
    expect(levelOf(Q, 24)).toBe('low')
    expect(levelOf(Q, 54)).toBe('medium')
  })

  it('sends only answers to known questions with known options', () => {
    expect(cleanAnswers(Q, { impact_scope: 'external', backout: 'nope', other: 'x', critical_components: undefined })).toEqual({ impact_scope: 'external' })
  })

  it('chooses the approval path the server does', () => {
    expect(approvalPath('standard', 'high')).toEqual([])
    expect(approvalPath('normal', 'low')).toEqual([{ group: 'team_lead', rule: 'any' }])
    expect(approvalPath('normal', 'medium')).toEqual([{ group: 'team_lead', rule: 'any' }, { group: 'cab', rule: 'majority' }])
    expect(approvalPath('normal', 'high')).toEqual([{ group: 'team_lead', rule: 'any' }, { group: 'cab', rule: 'all' }])
    expect(approvalPath('emergency', null)).toEqual([{ group: 'ecab', rule: 'any' }])
  })

  it('shows texts in zh-CN when they exist, else in English', () => {
    expect(questionText(Q.questions[0], 'zh-CN')).toBe('影响范围：变更影响哪些业务系统和用户？')
    expect(questionText(Q.questions[1], 'zh-CN')).toBe('Can it be backed out?')
    expect(optionLabel(Q.questions[0].options[2], 'zh-CN')).toBe('Customer-facing')
    expect(optionLabel({ value: 'x', label: '', label_zh: '', score: 0 }, 'en')).toBe('x')
  })

  it('checks the admin JSON before sending and names the element', () => {
    expect(checkQuestionnaireJson(JSON.stringify(Q))).toMatchObject({ ok: true })
    expect(checkQuestionnaireJson('{"questions": [').error?.key).toBe('changes.settings.json.syntax')
    const twice = structuredClone(Q)
    twice.questions[1].key = 'impact_scope'
    expect(checkQuestionnaireJson(JSON.stringify(twice)).error).toEqual({ key: 'changes.settings.json.twice', params: { where: 'questions[1].key' } })
    const score = structuredClone(Q)
    score.questions[0].options[1].score = 101
    expect(checkQuestionnaireJson(JSON.stringify(score)).error?.params.where).toBe('questions[0].options[1].score')
    const order = structuredClone(Q)
    order.thresholds = { medium_from: 40, high_from: 30 }
    expect(checkQuestionnaireJson(JSON.stringify(order)).error).toEqual({ key: 'changes.settings.json.order', params: { where: 'thresholds.high_from' } })
    const tooHigh = structuredClone(Q)
    tooHigh.thresholds.high_from = 80
    expect(checkQuestionnaireJson(JSON.stringify(tooHigh)).error).toEqual({ key: 'changes.settings.json.threshold', params: { where: 'thresholds.high_from', max: 75 } })
    const oneOption = structuredClone(Q)
    oneOption.questions[2].options = oneOption.questions[2].options.slice(0, 1)
    expect(checkQuestionnaireJson(JSON.stringify(oneOption)).error?.key).toBe('changes.settings.json.options')
  })
})

describe('change model', () => {
  it('converts planned times between wall times in the user zone and UTC', () => {
    expect(wallToIso('2026-03-07 22:00', ZONE)).toBe('2026-03-07T14:00:00Z')
    expect(isoToWall('2026-03-07T14:00:00Z', ZONE)).toBe('2026-03-07 22:00')
    expect(isoToWall('2026-03-07T14:00:00Z', 'Europe/Berlin')).toBe('2026-03-07 15:00')
    expect(wallToIso('', ZONE)).toBeNull()
    expect(isoToWall(null, ZONE)).toBe('')
    expect(addMinutesWall('2026-03-07 23:30', 90, ZONE)).toBe('2026-03-08 01:00')
    expect(sameInstant('2026-03-07T14:00:00Z', '2026-03-07T14:00:00.000Z')).toBe(true)
    expect(sameInstant(null, undefined)).toBe(true)
    expect(sameInstant('2026-03-07T14:00:00Z', null)).toBe(false)
    expect(windowText('2026-03-07T14:00:00Z', '2026-03-07T15:30:00Z', 'en', ZONE)).toBe('03/07/2026, 22:00 – 23:30')
    expect(windowText('2026-03-07T14:00:00Z', '2026-03-07T17:00:00Z', 'zh-CN', ZONE)).toBe('2026/03/07 22:00 – 2026/03/08 01:00')
  })

  it('tells which record fields a transition needs and whether the change has them', () => {
    const ch = change({ implementation_plan: 'Patch', backout_plan: ' ', ci_ids: [4], planned_start: '2026-03-07T14:00:00Z' })
    expect(hasRecordField(ch, 'implementation_plan')).toBe(true)
    expect(hasRecordField(ch, 'backout_plan')).toBe(false)
    expect(hasRecordField(ch, 'risk_assessment')).toBe(false)
    expect(hasRecordField(change({ risk: { answers: {}, score: 3, level: 'low' } }), 'risk_assessment')).toBe(true)
    expect(hasRecordField(ch, 'review_outcome')).toBe(false)
    const req = recordRequirements(['implementation_plan', 'backout_plan', 'planned_start', 'planned_end', 'ci_ids', 'risk_assessment', 'cancel_reason'], ch)
    expect(req).toEqual([
      { field: 'implementation_plan', met: true },
      { field: 'backout_plan', met: false },
      { field: 'planned_start', met: true },
      { field: 'planned_end', met: false },
      { field: 'ci_ids', met: true },
      { field: 'risk_assessment', met: false },
    ])
    expect(tabOfField('risk_assessment')).toBe('risk')
    expect(tabOfField('review_outcome')).toBe('review')
    expect(tabOfField('ci_ids')).toBe('plan')
    expect(planEditable('assess')).toBe(true)
    expect(planEditable('authorise')).toBe(false)
  })

  it('knows who holds a transition role', () => {
    const implementer = { id: 5, roles: ['agent'], team_ids: [3] }
    const cab = { id: 6, roles: ['approver'], team_ids: [9] }
    const admin = { id: 1, roles: ['admin'], team_ids: [] }
    const tk = { assignee_team_id: 3 }
    expect(holdsRole([], implementer, tk, 9)).toBe(true)
    expect(holdsRole(['implementer', 'change_manager'], implementer, tk, 9)).toBe(true)
    expect(holdsRole(['implementer', 'change_manager'], cab, tk, 9)).toBe(true)
    expect(holdsRole(['change_manager'], implementer, tk, 9)).toBe(false)
    expect(holdsRole(['change_manager'], cab, tk, null)).toBe(false)
    expect(holdsRole(['change_manager'], admin, tk, null)).toBe(true)
    expect(holdsRole(['implementer'], cab, { assignee_team_id: null }, 9)).toBe(false)
    expect(isCabMember(cab, 9)).toBe(true)
    expect(isCabMember(implementer, 9)).toBe(false)
  })

  it('follows approval steps: the open one, progress by rule, who is awaited', () => {
    const approvers = [{ id: 1, name: 'A' }, { id: 2, name: 'B' }, { id: 3, name: 'C' }, { id: 4, name: 'D' }]
    expect(approvalsNeeded({ rule: 'any', approvers })).toBe(1)
    expect(approvalsNeeded({ rule: 'all', approvers })).toBe(4)
    expect(approvalsNeeded({ rule: 'majority', approvers })).toBe(3)
    expect(approvalsNeeded({ rule: 'majority', approvers: approvers.slice(0, 3) })).toBe(2)
    const lead = step({ group: 'team_lead', rule: 'any', state: 'approved', approvers: [approvers[0]], decisions: [{ user_id: 1, user_name: 'A', verdict: 'approve', comment: '', at: '2026-03-01T00:00:00Z' }] })
    const cab = step({ approvers: approvers.slice(1), awaiting: [3, 4], decisions: [{ user_id: 2, user_name: 'B', verdict: 'approve', comment: 'ok', at: '2026-03-01T01:00:00Z' }] })
    const approval: Approval = { state: 'pending', round: 1, steps: [lead, cab] }
    expect(openStep(approval)).toBe(cab)
    expect(stepDisplayState(approval, lead)).toBe('approved')
    expect(stepDisplayState(approval, cab)).toBe('open')
    expect(approvalsGiven(cab)).toBe(1)
    expect(awaitsMe(approval, 3)).toBe(true)
    expect(awaitsMe(approval, 2)).toBe(false)
    expect(awaitsMe({ ...approval, state: 'approved' }, 3)).toBe(false)
    expect(approverRows(cab).map((r) => [r.name, r.decision?.verdict ?? null, r.awaited])).toEqual([['B', 'approve', false], ['C', null, true], ['D', null, true]])
    const later: Approval = { state: 'pending', round: 1, steps: [step({ awaiting: [1] }), step({ awaiting: [2] })] }
    expect(stepDisplayState(later, later.steps[1])).toBe('waiting')
  })

  it('orders conflicts and links the other change', () => {
    const cs = sortConflicts([
      { kind: 'outside_maintenance_window', with: 'Weekend', with_id: 2, ci_id: 1, reason: '' },
      { kind: 'change_overlap', with: 'CHG-000009', with_id: 9, ci_id: 1, reason: '' },
      { kind: 'freeze_window', with: '春节封网', with_id: 1, ci_id: null, reason: '' },
    ])
    expect(cs.map((c) => c.kind)).toEqual(['change_overlap', 'freeze_window', 'outside_maintenance_window'])
    expect(conflictChange(cs[0])).toBe('CHG-000009')
    expect(conflictChange(cs[1])).toBeNull()
  })

  it('draws the path of each change type', () => {
    expect(statePath('standard')).toEqual(['new', 'scheduled', 'implement', 'review', 'closed'])
    expect(statePath('normal')).toContain('assess')
    expect(statePath('emergency')).not.toContain('assess')
    expect(pathIndex('normal', 'authorise')).toBe(2)
    expect(pathIndex('normal', 'failed')).toBe(4)
    expect(pathIndex('normal', 'cancelled')).toBe(-1)
  })
})

describe('change calendar', () => {
  const NOW = new Date('2026-03-10T04:00:00Z')

  it('lays out the weeks of a month from Monday, in the user zone', () => {
    const weeks = monthWeeks('2026-03', ZONE, NOW)
    expect(weeks[0][0].date).toBe('2026-02-23')
    expect(weeks.at(-1)!.at(-1)!.date).toBe('2026-04-05')
    expect(weeks.length).toBe(6)
    expect(weeks.flat().find((d) => d.today)?.date).toBe('2026-03-10')
    expect(weeks[0][0].inPeriod).toBe(false)
    expect(weeks[1][0].weekday).toBe(0)
    expect(new Date(weeks[0][0].start).toISOString()).toBe('2026-02-22T16:00:00.000Z')
    const days = weeks.flat()
    expect(rangeOf(days)).toEqual({ from: '2026-02-22T16:00:00.000Z', to: '2026-04-05T16:00:00.000Z' })
    expect(weekDays('2026-03-12', ZONE, NOW).map((d) => d.date)).toEqual(['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14', '2026-03-15'])
    expect(addMonths('2026-12', 1)).toBe('2027-01')
    expect(addMonths('2026-01', -1)).toBe('2025-12')
  })

  it('puts changes and windows on the days they touch', () => {
    const data: CalendarAnswer = {
      changes: [
        { number: 'CHG-000002', title: 'Over midnight', status: 'scheduled', change_type: 'normal', risk_level: 'high', planned_start: '2026-03-07T15:00:00Z', planned_end: '2026-03-07T18:00:00Z', ci_ids: [], conflict_count: 1 },
        { number: 'CHG-000001', title: 'Evening', status: 'scheduled', change_type: 'standard', risk_level: null, planned_start: '2026-03-07T12:00:00Z', planned_end: '2026-03-07T13:00:00Z', ci_ids: [], conflict_count: 0 },
        { number: 'CHG-000003', title: 'Unplanned', status: 'new', change_type: 'normal', risk_level: null, planned_start: null, planned_end: null, ci_ids: [], conflict_count: 0 },
      ],
      freeze_windows: [{ id: 1, name: '两会封网', reason: '', start: '2026-03-04T16:00:00Z', end: '2026-03-07T16:00:00Z', service_ids: [] }],
      maintenance_windows: [{ id: 1, service_id: 5, service_name: '网上银行', name: 'Weekend', start: '2026-03-07T14:00:00Z', end: '2026-03-07T22:00:00Z' }],
    }
    const days = weekDays('2026-03-07', ZONE, NOW)
    const sat = days.find((d) => d.date === '2026-03-07')!
    const sun = days.find((d) => d.date === '2026-03-08')!
    const fri = days.find((d) => d.date === '2026-03-06')!
    expect(dayContent(data, sat).changes.map((c) => c.number)).toEqual(['CHG-000001', 'CHG-000002'])
    expect(dayContent(data, sun).changes.map((c) => c.number)).toEqual(['CHG-000002'])
    expect(dayContent(data, fri).freezes.map((f) => f.name)).toEqual(['两会封网'])
    expect(dayContent(data, sat).freezes.length).toBe(1)
    expect(dayContent(data, sun).freezes).toEqual([])
    expect(dayContent(data, sun).maintenance.length).toBe(1)
    expect(dayContent(null, sat).changes).toEqual([])
    // Week view: CHG-000002 runs 23:00–02:00, clipped to Saturday's last hour.
    const blocks = dayBlocks(dayContent(data, sat).changes, sat, (c) => c.planned_start, (c) => c.planned_end)
    const late = blocks.find((b) => b.item.number === 'CHG-000002')!
    expect(late.top).toBeCloseTo((23 / 24) * 100)
    expect(late.continuesAfter).toBe(true)
    expect(late.lanes).toBe(1)
    const bands = freezeBands(dayContent(data, fri).freezes, fri)
    expect(bands[0].top).toBe(0)
    expect(bands[0].height).toBeCloseTo(100)
    expect(changeColour(data.changes[0], 'risk')).toBe('#d93026')
    expect(changeColour(data.changes[1], 'type')).toBe('#2e9e5b')
    expect(changeColour(data.changes[1], 'risk')).toBe('#8a919f')
  })

  it('sets overlapping blocks side by side', () => {
    const day = weekDays('2026-03-09', ZONE, NOW)[0]
    const at = (h: number) => new Date(day.start + h * 3600000).toISOString()
    const items = [
      { id: 'a', s: at(1), e: at(3) },
      { id: 'b', s: at(2), e: at(4) },
      { id: 'c', s: at(3.5), e: at(5) },
      { id: 'd', s: at(10), e: at(11) },
    ]
    const blocks = dayBlocks(items, day, (x) => x.s, (x) => x.e)
    const by = Object.fromEntries(blocks.map((b) => [b.item.id, b]))
    expect([by.a.lane, by.b.lane, by.c.lane]).toEqual([0, 1, 0])
    expect([by.a.lanes, by.b.lanes, by.c.lanes, by.d.lanes]).toEqual([2, 2, 2, 1])
  })
})

describe('problem model', () => {
  const p: ProblemInfo = {
    symptoms: 'Login fails', root_cause: '', workaround: '', permanent_fix: '', known_error: false, known_error_at: null, ci_ids: [3], cis: [],
    incidents: [
      { number: 'INC-000001', title: 'a', status: 'in_progress', priority: 'P2', via_known_error: false },
      { number: 'INC-000002', title: 'b', status: 'resolved', priority: 'P3', via_known_error: true },
    ],
  }

  it('patches only what changed in the root cause analysis', () => {
    const form = rcaForm(p)
    expect(rcaPatch(p, form, 4)).toBeNull()
    form.root_cause = '  Certificate expired  '
    form.symptoms = 'Login fails'
    expect(rcaPatch(p, form, 4)).toEqual({ version: 4, root_cause: 'Certificate expired' })
    expect(sameIds([1, 2], [2, 1])).toBe(true)
    expect(sameIds([1], [1, 2])).toBe(false)
  })

  it('splits transition fields into typed ones and record ones', () => {
    expect(splitRequired(['resolution_code', 'resolution_notes', 'permanent_fix'])).toEqual({ body: ['resolution_code', 'resolution_notes'], record: ['permanent_fix'] })
    expect(splitRequired(['root_cause'])).toEqual({ body: [], record: ['root_cause'] })
  })

  it('needs a workaround to publish a known error; counts open incidents', () => {
    expect(publishBlocker(p, 'root_cause_analysis')).toBe('needsWorkaround')
    expect(publishBlocker({ ...p, workaround: 'Restart the agent' }, 'root_cause_analysis')).toBe('')
    expect(publishBlocker({ ...p, workaround: 'x' }, 'cancelled')).toBe('final')
    expect(openIncidents(p)).toBe(1)
  })

  it('reads incident numbers typed as a list', () => {
    expect(parseIncidentNumbers('INC-000012, inc-15；INC-000012  INC7 foo')).toEqual({ numbers: ['INC-000012', 'INC-000015', 'INC-000007'], bad: ['foo'] })
    expect(parseIncidentNumbers('  ')).toEqual({ numbers: [], bad: [] })
  })

  it('prefills a new problem from a candidates group', () => {
    const g: CandidateGroup = {
      key: { ci_id: 7, name: 'sh-web-01' }, count: 3, first_at: '2026-03-01T00:00:00Z', last_at: '2026-03-05T00:00:00Z',
      incidents: ['INC-000001', 'INC-000002', 'INC-000003'].map((number) => ({ number, title: number, status: 'new', created_at: '2026-03-01T00:00:00Z' })),
    }
    expect(groupKey(g)).toBe('ci:7')
    expect(groupKey({ ...g, key: { category_id: 2, name: 'Network' } })).toBe('category:2')
    const title = (name: string, n: number) => `${name} ×${n}`
    expect(prefillFromGroup(g, [], 'ci', title)).toEqual({ title: 'sh-web-01 ×3', incident_numbers: ['INC-000001', 'INC-000002', 'INC-000003'], ci_ids: [7], category_id: null })
    expect(prefillFromGroup(g, ['INC-000002'], 'ci', title).incident_numbers).toEqual(['INC-000002'])
    expect(prefillFromGroup({ ...g, key: { category_id: 2, name: 'Network' } }, [], 'category', title)).toMatchObject({ ci_ids: [], category_id: 2 })
  })
})

describe('admin helpers', () => {
  it('checks maintenance ranges', () => {
    expect(validRange('Sat 22:00-Sun 06:00')).toBe(true)
    expect(validRange('Wed 01:00 - 04:00')).toBe(true)
    expect(validRange('Sat 22:00-Sun 24:00')).toBe(true)
    expect(badRanges(['Sat 22:00-Sun 06:00', 'saturday 22:00', 'Mon 25:00-Tue 01:00'])).toEqual(['saturday 22:00', 'Mon 25:00-Tue 01:00'])
  })

  it('names templates in the UI language and copies them into a form', () => {
    const tp = {
      id: 3, name: 'Restart web service', name_zh: '重启 Web 服务', description: 'Rolling restart', description_zh: '', implementation_plan: 'a', backout_plan: 'b',
      test_plan: 'c', duration_minutes: 30, implementer_team_id: 2, active: true, version: 4,
    }
    expect(templateText(tp, 'name', 'zh-CN')).toBe('重启 Web 服务')
    expect(templateText(tp, 'description', 'zh-CN')).toBe('Rolling restart')
    expect(templateForm(tp)).not.toHaveProperty('id')
    expect(templateForm(tp)).not.toHaveProperty('version')
    expect(templateForm(null).duration_minutes).toBe(60)
  })
})

describe('module messages', () => {
  it('are not in the global catalogue until the module loads, then in both languages', async () => {
    const has = (key: string, locale: 'en' | 'zh-CN') => i18n.global.te(key, locale)
    expect(has('itil.nav.changes', 'zh-CN')).toBe(true)
    await changesLazy.ensure()
    await problemsLazy.ensure()
    expect(i18n.global.t('changes.type.normal')).toBe('Normal')
    applyLocale('zh-CN')
    expect(i18n.global.t('changes.type.emergency')).toBe('紧急变更')
    expect(i18n.global.t('changes.conflict.freeze_window')).toBe('冻结期（封网）')
    expect(i18n.global.t('problems.field.workaround')).toBe('临时解决方案')
    expect(i18n.global.t('problems.field.root_cause')).toBe('根本原因')
    expect(has('problems.knownError.tag', 'en')).toBe(true)
    // A page loader resolves to the component, the messages merged first.
    const page = await changesLazy.page('CalendarPage')()
    expect(page.default).toBeTruthy()
  })
})

describe('API calls', () => {
  it('problems: list by kind with the known-error filter, PATCH the record, link, publish, apply, candidates', async () => {
    const calls = mockFetch(() => ({ status: 200, body: { items: [], next_cursor: null } }))
    await problemsApi.list({ known_error: true, status: 'new,assessed', limit: 20 })
    await problemsApi.update('PRB-000001', { version: 3, root_cause: 'x' })
    await problemsApi.linkIncidents('PRB-000001', ['INC-000002'])
    await problemsApi.unlinkIncident('PRB-000001', 'INC-000002')
    await problemsApi.publish('PRB-000001', true)
    await problemsApi.apply('INC-000009', 'PRB-000001')
    await problemsApi.candidates({ group_by: 'category', window_days: 14, min_incidents: 2 })
    await problemsApi.transition('PRB-000001', { to: 'resolved', version: 5, resolution_code: 'fixed', resolution_notes: 'n', resolve_incidents: true })
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/tickets?known_error=true&status=new%2Cassessed&limit=20&kind=problem',
      'PATCH /api/v1/tickets/PRB-000001/problem',
      'POST /api/v1/tickets/PRB-000001/incidents',
      'DELETE /api/v1/tickets/PRB-000001/incidents/INC-000002',
      'POST /api/v1/tickets/PRB-000001/known-error',
      'POST /api/v1/tickets/INC-000009/known-errors/PRB-000001/apply',
      'GET /api/v1/problem-candidates?group_by=category&window_days=14&min_incidents=2',
      'POST /api/v1/tickets/PRB-000001/transitions',
    ])
    expect(calls[1].body).toEqual({ version: 3, root_cause: 'x' })
    expect(calls[2].body).toEqual({ numbers: ['INC-000002'] })
    expect(calls[4].body).toEqual({ published: true })
    expect(calls[7].body).toMatchObject({ resolve_incidents: true })
  })

  it('changes: create with kind change, decide, override, review, calendar, settings with PUT', async () => {
    const calls = mockFetch(() => ({ status: 200, body: {} }))
    await changesApi.create({ change_type: 'normal', title: 'Upgrade', ci_ids: [4], risk_answers: { backout: 'tested' } })
    await changesApi.decide('CHG-000001', 'reject', 'Window too short')
    await changesApi.override('CHG-000001', 'Agreed with the business')
    await changesApi.review('CHG-000001', { outcome: 'successful', notes: '', caused_incidents: [] })
    await changesApi.calendar('2026-02-22T16:00:00.000Z', '2026-04-05T16:00:00.000Z')
    await changesApi.list({ subtype: 'emergency' })
    await changeSettingsApi.put({ cab_team_id: 2, ecab_team_id: null, questionnaire: Q, candidate_window_days: 30, candidate_min_incidents: 3, version: 7 })
    await freezeWindowsApi.remove(4)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/tickets',
      'POST /api/v1/tickets/CHG-000001/approvals',
      'POST /api/v1/tickets/CHG-000001/conflicts/override',
      'POST /api/v1/tickets/CHG-000001/review',
      'GET /api/v1/changes/calendar?from=2026-02-22T16%3A00%3A00.000Z&to=2026-04-05T16%3A00%3A00.000Z&conflicts=true',
      'GET /api/v1/tickets?subtype=emergency&kind=change',
      'PUT /api/v1/change-settings',
      'DELETE /api/v1/freeze-windows/4',
    ])
    expect(calls[0].body).toEqual({ change_type: 'normal', title: 'Upgrade', ci_ids: [4], risk_answers: { backout: 'tested' }, kind: 'change' })
    expect(calls[1].body).toEqual({ decision: 'reject', comment: 'Window too short' })
    expect(calls[6].body).toMatchObject({ version: 7, cab_team_id: 2 })
  })
})

describe('mounted', () => {
  it('the risk questionnaire scores as one answers and shows the approval path', async () => {
    setActivePinia(createPinia())
    await changesLazy.ensure()
    const Host = {
      components: { RiskQuestionnaire },
      data: () => ({ answers: {} as Record<string, string>, q: Q }),
      template: '<RiskQuestionnaire v-model="answers" :questionnaire="q" change-type="normal" />',
    }
    const w = mount(Host, { global: { plugins: [i18n] } })
    const summary = () => w.find('[data-test="risk-summary"]')
    expect(summary().attributes('data-score')).toBe('0')
    expect(w.find('[data-test="risk-path"]').text()).toContain('final once every question is answered')
    await w.find('[data-key="impact_scope:external"] input').setValue(true)
    await w.find('[data-key="backout:impossible"] input').setValue(true)
    await w.find('[data-key="critical_components:none"] input').setValue(true)
    expect(summary().attributes('data-score')).toBe('55')
    expect(summary().attributes('data-level')).toBe('high')
    expect(summary().attributes('data-complete')).toBe('true')
    expect(w.find('[data-test="risk-path"]').text()).toMatch(/Team lead · any one approves.*CAB · all must approve/)
    applyLocale('zh-CN')
    await flushPromises()
    expect(w.find('[data-test="risk-tag"]').text()).toBe('高风险')
    expect(w.find('[data-test="risk-question"]').text()).toContain('影响范围')
    w.unmount()
  })

  it('the known-error panel lists suggestions with their reasons and applies one', async () => {
    setActivePinia(createPinia())
    const { useSessionStore } = await import('../src/stores/session')
    const session = useSessionStore()
    session.setMe({ id: 3, username: 'li', display_name: 'Li', email: '', phone: '', locale: 'zh-CN', time_zone: ZONE, roles: ['agent'], active: true, has_password: true, team_ids: [], created_at: '', updated_at: '', version: 1, permissions: { tickets_work: true, tickets_staff: true } as never })
    const calls = mockFetch((c) =>
      c.url.endsWith('/apply')
        ? { status: 200, body: { problem: 'PRB-000004', incident: {} } }
        : { status: 200, body: { items: [{ number: 'PRB-000004', title: 'VPN drops', workaround: 'Reconnect with TCP', reasons: ['same_ci', 'similar_text'] }] } },
    )
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
    await problemsLazy.ensure()
    applyLocale('zh-CN')
    const Panel = (await import('../src/modules/problems/KnownErrorPanel.vue')).default
    const w = mount(Panel, { props: { ticket: { number: 'INC-000010' } as never }, global: { plugins: [i18n, router] } })
    await flushPromises()
    const sug = w.find('[data-test="known-error-suggestion"][data-key="PRB-000004"]')
    expect(sug.exists()).toBe(true)
    expect(sug.findAll('[data-test="known-error-reason"]').map((r) => r.text())).toEqual(['相同配置项', '描述相似'])
    expect(sug.find('[data-test="known-error-suggestion-workaround"]').text()).toBe('临时解决方案：Reconnect with TCP')
    await sug.find('[data-test="known-error-apply"]').trigger('click')
    await flushPromises()
    expect(calls.at(-1)!.url).toBe('/api/v1/tickets/INC-000010/known-errors/PRB-000004/apply')
    expect(w.emitted('applied')).toEqual([['PRB-000004']])
    w.unmount()
  })
})

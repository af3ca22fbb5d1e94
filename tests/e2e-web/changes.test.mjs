// Browser test of problem and change management (web/src/modules/problems and changes, issue #7).
// Changes: an agent raises a normal change on an application through the form (CI picked from the
// CMDB, window, plans, implementer team, the risk questionnaire scoring medium with the approval
// path "team lead → CAB"); its Conflicts tab names the other change planned at the same time on
// the server the application depends on (change_overlap); the agent submits it for assessment
// and authorisation (the dialog lists what each step needs); the CAB member (also the team's lead)
// logs in, sees the count in "My approvals", approves the team-lead step from the inbox and the CAB
// step on the change page, and overrides the conflict with a reason, which schedules the change;
// the agent implements it
// and records the post-implementation review, the CAB member closes it; the change page in
// Chinese; the calendar shows both changes. Problems: three incidents on one CI make a group in
// the problem-candidates queue, a problem is raised from them, its root cause and workaround are
// recorded and it is published as a known error; a new incident on the CI gets it suggested and
// applies it; the problem is resolved with its incidents; the pages in Chinese. A requester raises
// a standard change from the portal's catalogue. The real binary, Debian's Chromium via
// playwright-core, `node --test`; the steps share one server and run in order. Screenshots in en
// and zh-CN go to $YUNWEI_SCREENSHOTS.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  adminApi, assertNoPageErrors, createUsers, ErrorCollector, getTicket, login, ok, openPage, pastLogin, pickOption, screenshot, setTeamMembers, shutdown,
  startServer, switchLanguage, tid, userApi,
} from './support.mjs'

const ADMIN_PASSWORD = 'Admin-e2e-changes-1'
const AGENT = { username: 'zhaolei', display: '赵磊 Zhao Lei', password: 'Agent-changes-1' }
const CAB = { username: 'lina', display: '李娜 Li Na', password: 'Cab-changes-1' }
const REQUESTER = { username: 'wangxm', display: '王小明', password: 'Requester-changes-1' }

// The application depends on the database server: a change on either collides with a change on
// the other at the same time.
const CSV = [
  'type,name,status,environment,attributes.hostname,attributes.ip,relations.depends_on',
  'server,db-core-01,in_use,prod,db-core-01,10.20.1.11,',
  'application,billing-app,in_use,prod,,,server:db-core-01',
  'business_service,网上计费,in_use,prod,,,application:billing-app',
].join('\n') + '\n'

// Saturday 7 June 2031, 22:00–23:30 in Shanghai (the users' zone and the browser's).
const WINDOW = { start: '2031-06-07 22:00', end: '2031-06-07 23:30', startIso: '2031-06-07T14:00:00Z', endIso: '2031-06-07T15:30:00Z' }

let server
let base
const errors = new ErrorCollector()
const contexts = []
let page
let idle
let cabPage
let cabIdle
const api = {}
const ids = {}
const numbers = {}

const settle = () => idle()
const shot = (name) => screenshot(page, name, settle)
const cabShot = (name) => screenshot(cabPage, name, () => cabIdle())

/** Waits until the element's text matches (content that arrives with a later request). */
async function waitText(p, selector, re) {
  await p.waitForFunction(([sel, src, flags]) => new RegExp(src, flags).test(document.querySelector(sel)?.textContent ?? ''), [selector, re.source, re.flags])
}
/** Types a date and time into an Element Plus date-time picker wrapped in [data-test=name]. */
async function pickTime(p, name, value) {
  const input = p.locator(`${tid(name)} input`)
  await input.click()
  await input.fill(value)
  await input.press('Enter')
  // Close the picker's panel: Escape would close a dialog around it, so click its title there.
  if (await input.evaluate((el) => !!el.closest('.el-dialog'))) await p.locator('.el-dialog__title:visible').first().click()
  else await p.keyboard.press('Escape')
  await p.waitForFunction(([sel, v]) => document.querySelector(sel)?.value === v, [`${tid(name)} input`, value])
}
/** Picks a CI in a CiSelect (remote search by name). */
async function pickCi(p, selectTest, name) {
  await p.click(`${tid(selectTest)} .el-select__wrapper`)
  await p.keyboard.type(name)
  await p.locator(`${tid('ci-option')}[data-key="${name}"]:visible`).click()
}
/**
 * Runs a transition (through its dialog, which lists what it needs, unless `direct`: a problem's
 * move without fields) and waits for the new state.
 */
async function transition(p, to, status, { fill, direct = false } = {}) {
  await p.click(tid(`transition-${to}`))
  if (!direct) {
    await p.locator(`${tid('change-transition-dialog')}:visible, ${tid('problem-transition-dialog')}:visible`).first().waitFor()
    if (fill) await fill()
    await p.click(`${tid('transition-submit')}:visible`)
  }
  await p.locator(`[data-test$="-status"][data-key="${status}"]`).first().waitFor()
}
const changeStatus = () => page.locator(tid('change-status')).getAttribute('data-key')

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  Object.assign(ids, await createUsers(api.admin, [
    ['agent', AGENT, ['agent'], 'en'],
    ['cab', CAB, ['agent', 'approver'], 'en'],
    ['requester', REQUESTER, ['requester'], 'zh-CN'],
  ]))
  // The agent implements for Infrastructure Operations; the CAB member leads that team (the
  // team-lead approval: a requester never approves their own change) and is the only member of
  // the Change Advisory Board.
  const teams = await setTeamMembers(api.admin, {
    'Infrastructure Operations': { member_ids: [ids.agent, ids.cab], lead_id: ids.cab },
    'Change Advisory Board': { member_ids: [ids.cab], lead_id: ids.cab },
  })
  ids.infra = teams['Infrastructure Operations'].id
  api.agent = await userApi(base, AGENT.username, AGENT.password)

  // The CIs (CMDB import, as the CMDB page sends it).
  const res = await fetch(`${base}/api/v1/cmdb/import`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv; charset=utf-8', Cookie: api.agent.cookie, 'X-CSRF-Token': api.agent.csrf, Accept: 'application/json' },
    body: CSV,
  })
  const report = await res.json()
  assert.equal(res.status, 200, JSON.stringify(report))
  assert.equal(report.rejected.length, 0, JSON.stringify(report.rejected))
  const cis = ok(await api.agent.request('GET', '/api/v1/cis?limit=50')).items
  ids.server = cis.find((c) => c.name === 'db-core-01').id
  ids.app = cis.find((c) => c.name === 'billing-app').id

  // The other change: the database server's patch, in the same window.
  const other = ok(await api.agent.request('POST', '/api/v1/tickets', {
    kind: 'change', change_type: 'normal', title: 'Patch db-core-01 kernel', ci_ids: [ids.server],
    planned_start: WINDOW.startIso, planned_end: WINDOW.endIso, implementation_plan: 'yum update kernel; reboot', backout_plan: 'boot the previous kernel',
    assignee_team_id: ids.infra,
  }), 201)
  numbers.other = other.number

  const opened = await openPage(base, 'changes-agent', errors, 'agent')
  contexts.push(opened.context)
  ;({ page, idle } = opened)
})

after(() => shutdown(server, contexts))

afterEach(() => assertNoPageErrors(errors))

describe('change management in Chromium', { concurrency: false }, () => {
  test('an agent raises a normal change: CI from the CMDB, window, plans, team, risk scored medium with its approval path', async () => {
    await login(page, AGENT.username, AGENT.password, pastLogin)
    await page.click(tid('nav-changes-create'))
    await page.waitForURL((u) => u.pathname === '/changes/new')
    await page.click(tid('change-form-type-normal'))
    await page.fill(tid('change-form-title'), 'Upgrade billing-app to 4.2')
    await page.fill(tid('change-form-reason'), 'Fixes invoice rounding (vendor advisory 2031-17)')
    await pickCi(page, 'change-form-cis-add', 'billing-app')
    await page.locator(`${tid('ci-chosen')}[data-key="billing-app"]`).waitFor()
    await pickTime(page, 'change-form-start', WINDOW.start)
    await pickTime(page, 'change-form-end', WINDOW.end)
    await pickOption(page, 'change-form-team', 'team-option', 'Infrastructure Operations')
    await page.fill(tid('change-form-impl'), '1. Drain node A\n2. Deploy 4.2\n3. Repeat on node B')
    await page.fill(tid('change-form-backout'), 'Redeploy 4.1 from the artefact store')
    await page.fill(tid('change-form-test'), 'Issue a test invoice; check rounding')
    // Risk: a core service (25) and nothing else: medium, so team lead then CAB (majority).
    const answers = ['impact_scope:core_service', 'backout:tested', 'maintenance_window:inside', 'complexity:simple', 'experience:often', 'critical_components:none']
    for (const a of answers) await page.click(`${tid('risk-option')}[data-key="${a}"]`)
    const summary = page.locator(tid('risk-summary'))
    assert.equal(await summary.getAttribute('data-score'), '25')
    assert.equal(await summary.getAttribute('data-level'), 'medium')
    assert.equal(await summary.getAttribute('data-complete'), 'true')
    assert.match(await page.locator(tid('risk-path')).innerText(), /Team lead · any one approves\s*CAB · majority approves/)
    await page.evaluate(() => document.querySelector('[data-test="risk-questionnaire"]')?.scrollIntoView())
    await shot('changes-new-en')

    await page.click(tid('change-form-submit'))
    await page.waitForURL((u) => /^\/changes\/CHG-\d+$/.test(u.pathname))
    numbers.change = (await page.locator(tid('change-number')).innerText()).trim()
    assert.equal(await changeStatus(), 'new')
    assert.equal(await page.locator(tid('change-type-tag')).first().getAttribute('data-key'), 'normal')
    assert.equal(await page.locator(`${tid('change-title')}`).innerText(), 'Upgrade billing-app to 4.2')
    const ch = (await getTicket(api.agent, numbers.change)).change
    assert.deepEqual(ch.ci_ids, [ids.app])
    assert.equal(Date.parse(ch.planned_start), Date.parse(WINDOW.startIso))
    assert.equal(ch.risk.level, 'medium')
    await page.locator(`${tid('change-ci')}[data-key="billing-app"]`).waitFor()
    await shot('changes-plan-en')
  })

  test('the Conflicts tab names the other change on the server the application depends on', async () => {
    await page.locator(tid('change-conflict-badge')).waitFor()
    await page.click(tid('change-tab-conflicts'))
    const conflict = page.locator(`${tid('conflict')}[data-kind="change_overlap"][data-key="${numbers.other}"]`)
    await conflict.waitFor()
    assert.match(await conflict.innerText(), new RegExp(`Change overlap\\s+${numbers.other}`))
    // Only a change manager may override it.
    assert.equal(await page.locator(tid('conflicts-override-form')).count(), 0)
    await shot('changes-conflicts-en')
  })

  test('submitted for assessment and authorisation: each step lists what it needs; the team lead is awaited', async () => {
    await page.click(tid('change-tab-plan'))
    await transition(page, 'assess', 'assess')
    await page.click(tid('transition-authorise'))
    const reqs = page.locator(tid('transition-requirement'))
    await reqs.first().waitFor()
    const met = await reqs.evaluateAll((els) => els.map((e) => `${e.dataset.key}:${e.dataset.met}`))
    assert.deepEqual(met.sort(), ['backout_plan:true', 'ci_ids:true', 'implementation_plan:true', 'planned_end:true', 'planned_start:true', 'risk_assessment:true'])
    await shot('changes-authorise-dialog-en')
    await page.click(`${tid('transition-submit')}:visible`)
    await page.locator(`${tid('change-status')}[data-key="authorise"]`).waitFor()

    // Medium risk: the implementer team's lead first, then the CAB (the requester never approves).
    await page.click(tid('change-tab-approvals'))
    const steps = page.locator(tid('approval-step'))
    await steps.first().waitFor()
    assert.deepEqual(await steps.evaluateAll((els) => els.map((e) => `${e.dataset.key}:${e.dataset.state}`)), ['team_lead:open', 'cab:waiting'])
    await page.locator(`${tid('approval-step')}[data-key="team_lead"] ${tid('approver')}[data-key="${CAB.display}"][data-verdict="awaiting"]`).waitFor()
    assert.equal(await page.locator(tid('change-awaiting-me')).count(), 0)
    assert.equal(await page.locator(tid('approval-decide')).count(), 0)
    await shot('changes-approvals-en')
  })

  test('the CAB member approves from My approvals and on the change page, then overrides the conflict: the change is scheduled', async () => {
    const opened = await openPage(base, 'changes-cab', errors, 'cab')
    contexts.push(opened.context)
    ;({ page: cabPage, idle: cabIdle } = opened)
    await login(cabPage, CAB.username, CAB.password, pastLogin)
    await waitText(cabPage, tid('nav-changes-inbox-badge'), /^\s*1\s*$/)
    await cabPage.click(tid('nav-changes-inbox'))
    await cabPage.waitForURL((u) => u.pathname === '/approvals')
    const row = `tr:has(${tid('inbox-row')}[data-key="${numbers.change}"])`
    await cabPage.locator(row).waitFor()
    assert.match(await cabPage.locator(row).innerText(), /Team lead approval/)
    await cabShot('changes-inbox-en')
    // The team-lead step (the CAB member leads the implementer team too).
    await cabPage.click(`${row} ${tid('inbox-approve')}`)
    await cabPage.locator(`${tid('inbox-dialog')}:visible`).waitFor()
    await cabPage.fill(tid('inbox-comment'), 'Plan reviewed, window agreed with finance')
    await cabPage.click(tid('inbox-submit'))
    // Now the CAB step waits for them.
    await waitText(cabPage, row, /CAB approval/)

    await cabPage.click(`${row} ${tid('inbox-row')}`)
    await cabPage.waitForURL((u) => u.pathname === `/changes/${numbers.change}` && u.searchParams.get('tab') === 'approvals')
    await cabPage.locator(tid('change-awaiting-me')).waitFor()
    await cabPage.locator(`${tid('approval-step')}[data-key="cab"][data-state="open"]`).waitFor()
    await cabPage.fill(tid('approval-comment'), 'OK for Saturday night')
    await cabPage.click(tid('approval-approve'))
    await cabPage.locator(`${tid('change-approvals')}[data-state="approved"]`).waitFor()
    await cabPage.locator(tid('nav-changes-inbox-badge')).waitFor({ state: 'detached' })
    await cabShot('changes-approved-en')

    // Approved, but the overlap holds it in authorise until a change manager overrides it.
    assert.equal(await cabPage.locator(tid('change-status')).getAttribute('data-key'), 'authorise')
    await cabPage.click(tid('change-tab-conflicts'))
    await cabPage.locator(`${tid('conflict')}[data-key="${numbers.other}"]`).waitFor()
    await cabPage.fill(tid('override-reason'), 'Both teams coordinate: the app upgrade runs after the kernel patch')
    await cabPage.click(tid('override-submit'))
    await cabPage.locator(tid('conflicts-override')).waitFor()
    await cabPage.locator(`${tid('change-status')}[data-key="scheduled"]`).waitFor()
    await cabShot('changes-override-en')
  })

  test('the agent implements it and records the post-implementation review; the CAB member closes it', async () => {
    await page.reload()
    await page.locator(`${tid('change-status')}[data-key="scheduled"]`).waitFor()
    await transition(page, 'implement', 'implement')
    await transition(page, 'review', 'review')
    await page.click(tid('change-tab-review'))
    await page.click(tid('review-outcome-successful'))
    await page.fill(tid('review-notes'), 'Done in 50 minutes; no user impact.')
    await page.click(tid('review-submit'))
    await page.locator(`${tid('review-view')}[data-outcome="successful"]`).waitFor()
    // Closing a normal change is the change manager's.
    assert.equal(await page.locator(tid('transition-closed')).isDisabled(), true)
    await shot('changes-review-en')

    await cabPage.goto(`/changes/${numbers.change}`)
    await transition(cabPage, 'closed', 'closed')
    const ch = (await getTicket(api.agent, numbers.change)).change
    assert.ok(ch.actual_start && ch.actual_end, 'actual times set')
    assert.equal(ch.review.outcome, 'successful')
  })

  test('the change page in Chinese', async () => {
    await page.reload()
    await page.locator(`${tid('change-status')}[data-key="closed"]`).waitFor()
    await switchLanguage(page, 'zh-CN', settle)
    assert.equal((await page.locator(tid('change-status')).innerText()).trim(), '已关闭')
    assert.equal((await page.locator(tid('change-type-tag')).first().innerText()).trim(), '常规变更')
    assert.equal((await page.locator(tid('risk-tag')).first().innerText()).trim(), '中风险 · 25')
    assert.equal((await page.locator(tid('change-tab-approvals')).innerText()).trim(), '审批')
    assert.equal((await page.locator(tid('change-tab-review')).innerText()).trim(), '实施后评审')
    await page.click(tid('change-tab-approvals'))
    assert.match(await page.locator(`${tid('approval-step')}[data-key="cab"]`).innerText(), /变更咨询委员会（CAB）审批[\s\S]*多数批准[\s\S]*已批准/)
    await shot('changes-approvals-zh')
    await page.click(tid('change-tab-conflicts'))
    await page.locator(`${tid('conflict')}[data-key="${numbers.other}"]`).waitFor()
    assert.match(await page.locator(tid('change-conflicts')).innerText(), /变更冲突/)
    await shot('changes-conflicts-zh')
  })

  test('the list shows type, risk, window and state; the calendar shows both changes in their window', async () => {
    await page.click(tid('nav-changes-list'))
    const row = page.locator(`tr:has(${tid('change-row')}[data-key="${numbers.change}"])`)
    await row.waitFor()
    assert.match(await row.innerText(), /常规变更[\s\S]*中风险[\s\S]*2031\/06\/07 22:00 – 23:30[\s\S]*已关闭/)
    // The success rate of the last 90 days counts the change implemented above.
    const stats = await page.locator(tid('change-stats')).innerText()
    const implemented = Number(/已实施 (\d+) 个/.exec(stats)?.[1] ?? 0)
    assert.ok(implemented >= 1, stats)
    assert.match(await page.locator(tid('change-success-rate')).innerText(), /^变更成功率 \d+(\.\d)?%$/)
    await page.click(tid('changes-type'))
    await shot('changes-list-zh')
    await page.keyboard.press('Escape')
    await page.click(tid('nav-changes-calendar'))
    await page.waitForURL((u) => u.pathname === '/changes/calendar')
    await page.goto('/changes/calendar?date=2031-06-07&view=week')
    for (const n of [numbers.change, numbers.other]) await page.locator(`${tid('cal-change')}[data-key="${n}"]`).waitFor()
    assert.match(await page.locator(tid('cal-title')).innerText(), /2031/)
    await shot('changes-calendar-week-zh')
    await page.click(tid('cal-view-month'))
    await page.locator(`${tid('cal-day')}[data-key="2031-06-07"] ${tid('cal-change')}[data-key="${numbers.other}"]`).waitFor()
    await page.click(tid('cal-colour-risk'))
    await shot('changes-calendar-month-zh')
    await page.click(`${tid('cal-day')}[data-key="2031-06-07"] ${tid('cal-change')}[data-key="${numbers.change}"]`)
    await page.waitForURL((u) => u.pathname === `/changes/${numbers.change}`)
    await switchLanguage(page, 'en', settle)
  })
})

describe('problem management in Chromium', { concurrency: false }, () => {
  test('three incidents on a CI make a candidate group; a problem is raised from them', async () => {
    for (const title of ['billing-app timeout on invoice export', 'Invoice export hangs in billing-app', 'billing-app invoice export 504']) {
      const t = ok(await api.agent.request('POST', '/api/v1/tickets', { kind: 'incident', title, ci_id: ids.app, requester_id: ids.requester }), 201)
      ;(numbers.incidents ??= []).push(t.number)
    }
    await page.click(tid('nav-problems-candidates'))
    await page.waitForURL((u) => u.pathname === '/problem-candidates')
    const group = page.locator(`${tid('candidate-group')}[data-key="billing-app"]`)
    await group.waitFor()
    assert.match(await group.locator(tid('candidate-count')).innerText(), /3/)
    assert.deepEqual((await group.locator(tid('candidate-incident')).evaluateAll((els) => els.map((e) => e.dataset.key))).sort(), [...numbers.incidents].sort())
    await shot('problems-candidates-en')
    await group.locator(tid('candidate-raise')).click()
    await page.locator(`${tid('problem-dialog')}:visible`).waitFor()
    assert.equal((await page.locator(tid('problem-form-incidents')).inputValue()).split(', ').sort().join(), [...numbers.incidents].sort().join())
    await page.locator(`${tid('ci-chosen')}[data-key="billing-app"]`).waitFor()
    await page.fill(tid('problem-form-symptoms'), 'Invoice export times out after 60 s')
    await page.click(tid('problem-form-submit'))
    await page.waitForURL((u) => /^\/problems\/PRB-\d+$/.test(u.pathname))
    numbers.problem = (await page.locator(tid('problem-number')).innerText()).trim()
    await waitText(page, tid('problem-incident-count'), /^3$/)
  })

  test('root cause and workaround are recorded; the problem is published as a known error', async () => {
    await page.locator(tid('problem-publish-blocked')).waitFor()
    await page.click(tid('rca-edit'))
    await page.fill(tid('rca-root_cause'), 'The export query scans the whole invoice table (missing index on issued_at)')
    await page.fill(tid('rca-workaround'), 'Export one month at a time from Reports → Invoices')
    await page.click(tid('rca-save'))
    await waitText(page, tid('rca-value-workaround'), /one month at a time/)
    await page.click(`${tid('problem-publish')}`)
    await page.locator(tid('problem-known-error-tag')).waitFor()
    const p = (await getTicket(api.agent, numbers.problem)).problem
    assert.equal(p.known_error, true)
    assert.match(p.root_cause, /missing index/)
    await shot('problems-detail-en')
    await page.click(tid('nav-problems-known-errors'))
    await page.locator(`${tid('known-error')}[data-key="${numbers.problem}"]`).waitFor()
    await page.goto('/problems?known=yes')
    await page.locator(`${tid('problem-row')}[data-key="${numbers.problem}"]`).waitFor()
    await shot('problems-list-en')
  })

  test('a new incident on the CI gets the known error suggested and applies it', async () => {
    const t = ok(await api.agent.request('POST', '/api/v1/tickets', { kind: 'incident', title: 'billing-app invoice export times out again', ci_id: ids.app, requester_id: ids.requester }), 201)
    numbers.newIncident = t.number
    await page.goto(`/tickets/${t.number}`)
    const sug = page.locator(`${tid('known-error-suggestion')}[data-key="${numbers.problem}"]`)
    await sug.waitFor()
    const reasons = await sug.locator(tid('known-error-reason')).evaluateAll((els) => els.map((e) => e.dataset.key))
    assert.ok(reasons.includes('same_ci'), reasons.join())
    assert.match(await sug.locator(tid('known-error-suggestion-workaround')).innerText(), /one month at a time/)
    await shot('problems-suggestion-en')
    await sug.locator(tid('known-error-apply')).click()
    await sug.locator(tid('known-error-applied')).waitFor()
    await page.goto(`/problems/${numbers.problem}`)
    await page.locator(`${tid('problem-incident')}[data-key="${t.number}"]`).waitFor()
    await waitText(page, tid('problem-incident-count'), /^4$/)
  })

  test('the problem goes through its workflow and is resolved with its incidents; the page in Chinese', async () => {
    await transition(page, 'assessed', 'assessed', {
      fill: async () => pickOption(page, 'tr-team', 'team-option', 'Infrastructure Operations'),
    })
    await transition(page, 'root_cause_analysis', 'root_cause_analysis', { direct: true })
    await transition(page, 'fix_in_progress', 'fix_in_progress')
    await transition(page, 'resolved', 'resolved', {
      fill: async () => {
        await page.fill(tid('tr-permanent_fix'), 'Index on invoices.issued_at (CHG ' + numbers.change + ')')
        await page.fill(tid('tr-resolution-notes'), 'Index added; export takes 3 s')
        await page.click(`${tid('tr-resolve-incidents')} .el-checkbox__input`)
      },
    })
    for (const n of [...numbers.incidents, numbers.newIncident]) {
      assert.equal((await getTicket(api.agent, n)).status, 'resolved', n)
    }
    await switchLanguage(page, 'zh-CN', settle)
    assert.equal((await page.locator(tid('problem-status')).innerText()).trim(), '已解决')
    assert.equal((await page.locator(tid('problem-known-error-tag')).innerText()).trim(), '已知错误')
    assert.match(await page.locator(tid('problem-rca')).innerText(), /根本原因[\s\S]*临时解决方案[\s\S]*永久解决方案/)
    await shot('problems-detail-zh')
    await page.goto(`/tickets/${numbers.newIncident}`)
    await page.locator(tid('ticket-number')).waitFor()
    await switchLanguage(page, 'en', settle)
  })
})

describe('standard changes in the portal', { concurrency: false }, () => {
  test('a requester raises a standard change from the catalogue', async () => {
    ok(await api.admin.request('POST', '/api/v1/change-templates', {
      name: 'Reset a VPN token', name_zh: '重置 VPN 令牌', description: 'Issue a new VPN hardware token', description_zh: '为您重新签发 VPN 硬件令牌',
      implementation_plan: 'Revoke the old token; issue a new one', backout_plan: 'Re-enable the old token', test_plan: 'User logs in over VPN',
      duration_minutes: 30, implementer_team_id: ids.infra, active: true,
    }), 201)
    const opened = await openPage(base, 'changes-requester', errors, 'requester', { width: 390, height: 844 })
    contexts.push(opened.context)
    const rp = opened.page
    await login(rp, REQUESTER.username, REQUESTER.password, (u) => u.pathname === '/portal')
    await rp.click(tid('portal-tile-standard-changes'))
    await rp.waitForURL((u) => u.pathname === '/portal/standard-changes')
    const item = rp.locator(`${tid('catalog-item')}[data-key="Reset a VPN token"]`)
    await item.waitFor()
    assert.match(await item.innerText(), /重置 VPN 令牌/)
    await screenshot(rp, 'changes-portal-catalog-zh', () => opened.idle())
    await item.locator(tid('catalog-request')).click()
    await rp.waitForURL((u) => /^\/portal\/standard-changes\/\d+$/.test(u.pathname))
    await pickTime(rp, 'standard-start', '2031-06-10 10:00')
    await waitText(rp, tid('standard-end'), /2031-06-10 10:30/)
    await rp.fill(tid('standard-description'), '令牌丢失')
    await rp.click(tid('standard-submit'))
    await rp.waitForURL((u) => /^\/portal\/tickets\/CHG-\d+$/.test(u.pathname))
    const number = new URL(rp.url()).pathname.split('/').pop()
    const ch = await getTicket(api.agent, number)
    assert.equal(ch.change.change_type, 'standard')
    assert.equal(ch.change.implementation_plan, 'Revoke the old token; issue a new one')
    assert.equal(Date.parse(ch.change.planned_end) - Date.parse(ch.change.planned_start), 30 * 60000)
  })
})

describe('change administration in Chromium', { concurrency: false }, () => {
  test('an admin (in Chinese) adds a freeze window and a maintenance window; the calendar shades and shows them; the settings page', async () => {
    const opened = await openPage(base, 'changes-admin', errors, 'admin')
    contexts.push(opened.context)
    const ap = opened.page
    const adminShot = (name) => screenshot(ap, name, () => opened.idle())
    await login(ap, 'admin', ADMIN_PASSWORD, pastLogin)
    await ap.click(tid('nav-admin-change-freeze'))
    await ap.waitForURL((u) => u.pathname === '/admin/changes/freeze-windows')
    await ap.click(tid('freeze-create'))
    await ap.locator(`${tid('freeze-dialog')}:visible`).waitFor()
    await ap.fill(tid('freeze-name'), '端午节封网 Dragon Boat freeze')
    await pickTime(ap, 'freeze-start', '2031-06-06 00:00')
    await pickTime(ap, 'freeze-end', '2031-06-09 00:00')
    await ap.fill(tid('freeze-reason'), 'Holiday: no changes to production')
    await ap.click(tid('freeze-submit'))
    await ap.locator(`${tid('freeze-row')}[data-key="端午节封网 Dragon Boat freeze"]`).waitFor()

    await ap.click(tid('nav-admin-change-maintenance'))
    await ap.waitForURL((u) => u.pathname === '/admin/changes/maintenance-windows')
    await ap.click(tid('maintenance-create'))
    await ap.locator(`${tid('maintenance-dialog')}:visible`).waitFor()
    await pickCi(ap, 'maintenance-service', '网上计费')
    await ap.fill(tid('maintenance-name'), 'Weekend window')
    await ap.fill(tid('maintenance-ranges'), 'saturday 22:00')
    await ap.click(tid('maintenance-submit'))
    await waitText(ap, `${tid('maintenance-dialog')} .el-form-item__error`, /Sat 22:00-Sun 06:00/)
    await ap.fill(tid('maintenance-ranges'), 'Sat 22:00-Sun 06:00')
    await ap.click(tid('maintenance-submit'))
    await ap.locator(`${tid('maintenance-row')}[data-key="Weekend window"]`).waitFor()
    await adminShot('changes-maintenance-zh')

    await ap.goto('/changes/calendar?date=2031-06-07')
    await ap.locator(`${tid('cal-day')}[data-key="2031-06-07"][data-frozen="true"]`).waitFor()
    assert.equal(await ap.locator(`${tid('cal-day')}[data-key="2031-06-10"]`).getAttribute('data-frozen'), 'false')
    await ap.locator(`${tid('cal-day')}[data-key="2031-06-07"] ${tid('cal-maintenance')}`).waitFor()
    await adminShot('changes-calendar-freeze-zh')
    await ap.click(tid('cal-view-week'))
    await ap.locator(`${tid('cal-week')} ${tid('cal-freeze')}`).first().waitFor()
    await adminShot('changes-calendar-freeze-week-zh')

    await ap.click(tid('nav-admin-change-settings'))
    await ap.waitForURL((u) => u.pathname === '/admin/changes/settings')
    await ap.locator(`${tid('settings-json-ok')}[data-n="6"]`).waitFor()
    await ap.fill(tid('settings-json'), '{"questions": []}')
    await ap.locator(`${tid('settings-json-error')}[data-key="changes.settings.json.questions"]`).waitFor()
    assert.equal(await ap.locator(tid('settings-save')).isDisabled(), true)
    await ap.reload()
    await ap.locator(`${tid('settings-json-ok')}[data-n="6"]`).waitFor()
    await adminShot('changes-settings-zh')
    await ap.click(tid('nav-admin-change-templates'))
    await ap.locator(`${tid('template-row')}[data-key="Reset a VPN token"]`).waitFor()
  })
})

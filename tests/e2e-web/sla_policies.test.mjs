// Browser tests of SLA policies (web/src/modules/sla-admin/PoliciesPage.vue): the five seeded
// policies in evaluation order; a new policy for P2 incidents in category Network (网络) with a
// 1-hour response, an OLA row and a 60 % threshold notifying the team lead, after a bad
// threshold order is refused by the server and shown on its row; moved to the top; the "which
// policy applies?" tester (a P2 incident in VPN, a child of Network, gets the new policy, a P2
// request the seeded one); the active switch; the page in Chinese. The real binary, Debian's
// Chromium via playwright-core, `node --test`; the steps share one server and run in order.
// Screenshots go to $YUNWEI_SCREENSHOTS.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import { adminApi, assertNoPageErrors, atHome, closeOptions, ErrorCollector, login, ok, openPage, screenshot, shutdown, startServer, switchLanguage, tid } from './support.mjs'

const ADMIN_PASSWORD = 'Admin-e2e-policies-1'
const AGENT = { username: 'wangfang', display: '王芳 Wang Fang', password: 'Agent-pass-1' }
const SEEDED = ['P1 严重 Critical', 'P2 高 High', 'P3 中 Moderate', 'P4 低 Low', 'P5 计划 Planning']
const NEW = 'Network P2 网络'
const TEAM = 'Infrastructure Operations'

const row = (name) => `tr:has(${tid('policy-row')}[data-key="${name}"])`

let server
let base
const errors = new ErrorCollector()
const contexts = []
let page
let idle
const api = {}
const state = {}

const settle = () => idle()
const shot = (name) => screenshot(page, name, settle)

/** Picks an option of an Element Plus select (typing `search` first when given). */
async function choose(select, option, key, search) {
  await page.click(`${tid(select)} .el-select__wrapper`)
  if (search) await page.keyboard.type(search)
  await page.locator(`${tid(option)}[data-key="${key}"]:visible`).click()
}

async function names() {
  return page.locator(tid('policy-row')).evaluateAll((els) => els.map((e) => e.dataset.key))
}

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  ok(await api.admin.request('POST', '/api/v1/users', { username: AGENT.username, display_name: AGENT.display, roles: ['agent'], locale: 'en', password: AGENT.password }), 201)
  state.calendars = ok(await api.admin.request('GET', '/api/v1/calendars')).items
  state.teams = ok(await api.admin.request('GET', '/api/v1/teams?limit=100')).items
  state.team = state.teams.find((t) => t.name === TEAM)
  assert.ok(state.team, `seeded teams: ${state.teams.map((t) => t.name)}`)
  state.categories = ok(await api.admin.request('GET', '/api/v1/categories')).items
  state.network = state.categories.find((c) => c.code === 'network')
  assert.ok(state.network)

  const opened = await openPage(base, 'policies-admin', errors, 'admin')
  contexts.push(opened.context)
  page = opened.page
  idle = opened.idle
})

after(() => shutdown(server, contexts))

afterEach(() => assertNoPageErrors(errors))

describe('SLA policies in Chromium', { concurrency: false }, () => {
  test('the five seeded policies are listed in order with conditions, calendar, targets and thresholds', async () => {
    await login(page, 'admin', ADMIN_PASSWORD, atHome)
    await switchLanguage(page, 'en', settle, { skipIfCurrent: true })
    await page.click(tid('nav-admin-sla-policies'))
    await page.waitForURL((u) => u.pathname === '/admin/sla/policies')
    await page.locator(`${tid('policy-row')}[data-key="${SEEDED[4]}"]`).waitFor()
    await page.locator(`${row(SEEDED[1])} ${tid('policy-calendar')}:text("24×7")`).waitFor()
    assert.deepEqual(await names(), SEEDED)
    assert.equal(await page.locator('h1').innerText(), 'SLA policies')
    assert.match(await page.title(), /^SLA policies · /)

    const p2 = page.locator(row(SEEDED[1]))
    assert.equal(await p2.locator(tid('policy-conditions')).innerText(), 'Incident or Service request, priority P2')
    assert.equal(await p2.locator(tid('policy-response')).innerText(), '30 min')
    assert.equal(await p2.locator(tid('policy-resolution')).innerText(), '8 h')
    assert.deepEqual(await p2.locator(tid('policy-threshold')).evaluateAll((els) => els.map((e) => e.dataset.key)), ['50', '75', '100'])
    const p3 = page.locator(row(SEEDED[2]))
    assert.equal(await p3.locator(tid('policy-calendar')).innerText(), 'Office hours 工作时间')
    assert.equal(await p3.locator(tid('policy-response')).innerText(), '4 h')
    assert.equal(await p3.locator(tid('policy-resolution')).innerText(), '24 h')
    const p5 = page.locator(row(SEEDED[4]))
    assert.equal(await p5.locator(tid('policy-resolution')).innerText(), 'None')
    assert.match(await page.locator(`${row(SEEDED[0])} ${tid('policy-threshold')}[data-key="50"]`).innerText(), /^50 %: Assignee, Team lead$/)
    await shot('sla-policies-en')
  })

  test('a new policy for P2 incidents in Network: a bad threshold order is shown on its row, then it is created', async () => {
    await page.click(tid('policies-create'))
    const dialog = page.locator(`${tid('policy-dialog')}:visible`)
    await dialog.waitFor()
    await page.fill(tid('policy-form-name'), NEW)
    await page.click(tid('policy-form-kind-incident'))
    await page.click(tid('policy-form-priority-P2'))
    await choose('policy-form-categories', 'category-option', 'network', 'Netw')
    await closeOptions(page, 'category-option')
    await choose('policy-form-calendar', 'policy-calendar-option', '24×7')

    // Response 1 hour; resolution 1 business day.
    const response = page.locator(`${tid('policy-form-response-value')} input`)
    await response.fill('1')
    await response.press('Tab')
    await page.click(tid('policy-form-response-unit-hours'))
    assert.equal(await page.locator(tid('policy-form-response-minutes')).getAttribute('data-key'), '60')
    const resolution = page.locator(`${tid('policy-form-resolution-value')} input`)
    await resolution.fill('1')
    await resolution.press('Tab')
    await page.click(tid('policy-form-resolution-unit-days'))
    assert.equal(await page.locator(tid('policy-form-resolution-minutes')).getAttribute('data-key'), '480')
    assert.match(await page.locator(tid('policy-form-resolution-minutes')).innerText(), /= 8 h/)

    // OLA: Infrastructure Operations, 120 business minutes.
    await page.click(tid('policy-ola-add'))
    await choose('policy-ola-team-0', 'ola-team-option', TEAM)
    const ola = page.locator(`${tid('policy-ola-minutes-0')} input`)
    await ola.fill('120')
    await ola.press('Tab')

    // Thresholds: the defaults go; 60 % notifies the team lead, then a 40 % after it (bad).
    assert.equal(await page.locator(tid('policy-threshold-row')).count(), 3)
    for (let i = 0; i < 3; i++) await page.click(tid('policy-threshold-remove-0'))
    await page.click(tid('policy-threshold-add'))
    const percent = page.locator(`${tid('policy-threshold-percent-0')} input`)
    await percent.fill('60')
    await percent.press('Tab')
    await choose('policy-action-to-0-0', 'whom-option', 'team_lead')
    await page.click(tid('policy-threshold-add'))
    const second = page.locator(`${tid('policy-threshold-percent-1')} input`)
    await second.fill('40')
    await second.press('Tab')
    await errors.expecting([400], async () => {
      const res = page.waitForResponse((r) => r.url().endsWith('/api/v1/sla-policies') && r.request().method() === 'POST')
      await page.click(tid('policy-form-submit'))
      const r = await res
      assert.equal(r.status(), 400)
      assert.equal((await r.json()).error.field, 'thresholds[1].percent')
      await page.locator(tid('policy-threshold-error-1')).waitFor()
    })
    assert.equal(await page.locator(tid('policy-threshold-error-1')).innerText(), 'Thresholds go in rising order, each percentage once')
    assert.ok(await page.locator(`${tid('policy-threshold-row')}[data-index="1"]`).evaluate((el) => el.classList.contains('bad')))
    await page.locator(tid('policy-threshold-row')).nth(1).scrollIntoViewIfNeeded()
    await shot('sla-policy-threshold-error-en')
    await page.click(tid('policy-threshold-remove-1'))
    assert.equal(await page.locator(tid('policy-threshold-error-1')).count(), 0)

    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/sla-policies') && r.request().method() === 'POST')
    await page.click(tid('policy-form-submit'))
    const res = await created
    assert.equal(res.status(), 201)
    const body = await res.json()
    state.policy = body
    await dialog.waitFor({ state: 'hidden' })
    assert.deepEqual(body.conditions, { kinds: ['incident'], priorities: ['P2'], service_ids: [], category_ids: [state.network.id], organisations: [] })
    assert.equal(body.calendar_id, state.calendars.find((c) => c.name === '24×7').id)
    assert.equal(body.response_minutes, 60)
    assert.equal(body.resolution_minutes, 480)
    assert.deepEqual(body.ola, [{ team_id: state.team.id, minutes: 120 }])
    assert.deepEqual(body.thresholds, [{ percent: 60, actions: [{ type: 'notify', to: 'team_lead' }] }])
    assert.deepEqual(body.pause_reasons, ['awaiting_requester', 'awaiting_vendor'])

    await page.locator(`${tid('policy-row')}[data-key="${NEW}"]`).waitFor()
    assert.deepEqual(await names(), [...SEEDED, NEW])
    const r = page.locator(row(NEW))
    assert.equal(await r.locator(tid('policy-conditions')).innerText(), 'Incident, priority P2, in Network')
    assert.equal(await r.locator(tid('policy-response')).innerText(), '1 h')
    assert.equal(await r.locator(tid('policy-threshold')).innerText(), '60 %: Team lead')
  })

  test('moved to the top: positions are rewritten and the order is what the server evaluates', async () => {
    for (let i = 5; i > 0; i--) {
      const done = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/sla-policies/${state.policy.id}`))
      await page.locator(`${row(NEW)} ${tid('policy-up')}`).click()
      assert.equal((await done).status(), 200)
      await page.waitForFunction(
        ([name, index]) => [...document.querySelectorAll('[data-test="policy-row"]')].findIndex((e) => e.dataset.key === name) === index,
        [NEW, i - 1],
      )
      await settle()
    }
    assert.deepEqual(await names(), [NEW, ...SEEDED])
    assert.equal(await page.locator(`${row(NEW)} ${tid('policy-up')}`).isDisabled(), true)
    const list = ok(await api.admin.request('GET', '/api/v1/sla-policies')).items
    assert.deepEqual(list.map((p) => p.name), [NEW, ...SEEDED])
    assert.deepEqual(list.map((p) => p.position), [10, 20, 30, 40, 50, 60])
  })

  test('which policy applies: a P2 incident in VPN (under Network) gets the new policy, a P2 request the seeded one', async () => {
    await choose('tester-kind', 'tester-kind-option', 'incident')
    await choose('tester-priority', 'tester-priority-option', 'P2')
    await choose('tester-category', 'tester-category-option', 'network.vpn', 'VPN')
    const asked = page.waitForResponse((r) => r.url().endsWith('/api/v1/sla-policies/match'))
    await page.click(tid('tester-submit'))
    const sent = (await asked).request().postDataJSON()
    assert.deepEqual(sent, { kind: 'incident', priority: 'P2', category_id: state.categories.find((c) => c.code === 'network.vpn').id })
    await page.locator(`${tid('tester-result')}[data-key="${NEW}"]`).waitFor()
    assert.match(await page.locator(tid('tester-result')).innerText(), /response 1 h, resolution 8 h, on 24×7/)
    assert.equal(await page.locator(`${tid('policy-row')}[data-matched="true"]`).getAttribute('data-key'), NEW)
    assert.ok(await page.locator(row(NEW)).evaluate((el) => el.classList.contains('matched')))
    await page.locator('h1').scrollIntoViewIfNeeded()
    await shot('sla-policies-tester-en')

    await choose('tester-kind', 'tester-kind-option', 'request')
    await page.click(tid('tester-submit'))
    await page.locator(`${tid('tester-result')}[data-key="${SEEDED[1]}"]`).waitFor()
    assert.equal(await page.locator(`${tid('policy-row')}[data-matched="true"]`).getAttribute('data-key'), SEEDED[1])

    // Switched off, the new policy no longer applies to the incident.
    const off = page.waitForResponse((r) => r.request().method() === 'PATCH')
    await page.locator(`${row(NEW)} ${tid('policy-active')}`).click()
    assert.equal((await off).status(), 200)
    assert.equal(ok(await api.admin.request('GET', `/api/v1/sla-policies/${state.policy.id}`)).active, false)
    await choose('tester-kind', 'tester-kind-option', 'incident')
    await page.click(tid('tester-submit'))
    await page.locator(`${tid('tester-result')}[data-key="${SEEDED[1]}"]`).waitFor()
    const on = page.waitForResponse((r) => r.request().method() === 'PATCH')
    await page.locator(`${row(NEW)} ${tid('policy-active')}`).click()
    assert.equal((await on).status(), 200)
    await settle()
  })

  test('editing keeps the units: the dialog shows 1 hour, 1 business day and the OLA row', async () => {
    await page.locator(`${row(NEW)} ${tid('policy-edit')}`).click()
    const dialog = page.locator(`${tid('policy-dialog')}:visible`)
    await dialog.waitFor()
    assert.equal(await page.locator(`${tid('policy-form-response-value')} input`).inputValue(), '1')
    assert.ok(await page.locator(`${tid('policy-form-response-unit-hours')}`).evaluate((el) => el.classList.contains('is-active')))
    assert.ok(await page.locator(`${tid('policy-form-resolution-unit-days')}`).evaluate((el) => el.classList.contains('is-active')))
    assert.equal(await page.locator(`${tid('policy-ola-minutes-0')} input`).inputValue(), '120')
    await shot('sla-policy-dialog-en')
    await page.click(tid('policy-form-cancel'))
    await dialog.waitFor({ state: 'hidden' })
  })

  test('the page in Chinese', async () => {
    await switchLanguage(page, 'zh-CN', settle, { skipIfCurrent: true })
    await page.locator(`${row(NEW)} ${tid('policy-conditions')}:text("事件，优先级 P2，类别为 网络")`).waitFor()
    assert.equal(await page.locator('h1').innerText(), 'SLA 策略')
    assert.match(await page.title(), /^SLA 策略 · /)
    assert.equal(await page.locator(`${row(SEEDED[1])} ${tid('policy-resolution')}`).innerText(), '8 小时')
    await shot('sla-policies-zh-CN')
    await switchLanguage(page, 'en', settle, { skipIfCurrent: true })
  })
  test('an agent sees the policies read-only and can use the tester', async () => {
    const { context, page: p, idle: agentIdle } = await openPage(base, 'policies-agent', errors, 'agent')
    contexts.push(context)
    await login(p, AGENT.username, AGENT.password, atHome)
    await p.click(tid('nav-admin-sla-policies'))
    await p.locator(`${tid('policy-row')}[data-key="${NEW}"]`).waitFor()
    await agentIdle()
    assert.equal(await p.locator(tid('policies-create')).count(), 0)
    assert.equal(await p.locator(tid('policy-up')).count(), 0)
    assert.equal(await p.locator(tid('policy-active')).count(), 0)
    await p.locator(`${row(NEW)} ${tid('policy-edit')}`).click()
    await p.locator(`${tid('policy-dialog')}:visible`).waitFor()
    assert.ok(await p.locator(tid('policy-form-name')).isDisabled())
    assert.equal(await p.locator(tid('policy-form-submit')).count(), 0)
    await p.click(tid('policy-form-cancel'))
    await p.click(tid('tester-submit'))
    await p.locator(`${tid('tester-result')}[data-key="${SEEDED[2]}"]`).waitFor()
    await agentIdle()
  })
})

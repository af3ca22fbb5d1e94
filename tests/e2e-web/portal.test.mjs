// Browser tests of the service desk pages: the requester portal (report a fault, my tickets,
// the ticket page with conversation, survey, reopen and withdraw) and the service-desk admin
// pages (assignment rules, priority matrix, categories, settings, dispatch, surveys). The real
// yunwei binary, Debian's Chromium via playwright-core, `node --test`; the steps share one
// server and run in order. Environment as in web.test.mjs (YUNWEI_BINARY, YUNWEI_SCREENSHOTS).
//
// Any console error or page error fails the test, except API failures a step provokes on
// purpose (ErrorCollector.expecting).
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import { adminApi, Api, assertNoPageErrors, ErrorCollector, login, ok, openPage, screenshot, shutdown, startServer, switchLanguage, tid } from './support.mjs'

const ADMIN_PASSWORD = 'Admin-portal-e2e-1'
const REQUESTER = { username: 'zhangsan', display: '张三', password: 'Requester-pass-1' }
const AGENT = { username: 'ops.liu', display: '刘工 Liu', password: 'Agent-pass-1' }
const FAULT = { title: 'VPN 连接频繁断开', description: '从今天上午开始，在家办公时 VPN 每隔几分钟就断开一次，需要重新登录。' }
const INFRA = { name: 'Infrastructure Operations', zh: '基础设施运维' }
const RULE = 'VPN faults to infrastructure'
const SURVEY_COMMENT = '处理很快，谢谢！'

const row = (kind, key) => `tr:has([data-test="${kind}-row"][data-key="${key}"])`

let server
let base
const errors = new ErrorCollector()
const ctx = {}
const pages = {}
const idle = new Map()
/** Node-side API clients: admin, requester, agent. */
const api = {}
const state = {}

async function openContext(name, viewport) {
  const opened = await openPage(base, name, errors, name, viewport)
  idle.set(opened.page, opened.idle)
  ctx[name] = opened.context
  pages[name] = opened.page
  return opened.page
}

const settle = (page) => idle.get(page)()
const shot = (page, name) => screenshot(page, name, () => settle(page), 400)

async function scrollWidth(page) {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth))
}

/** The agent resolves a ticket through the API (with a public reply first). */
async function resolveAsAgent(number, notes) {
  ok(await api.agent.request('POST', `/api/v1/tickets/${number}/comments`, { body: '已调整 VPN 网关的会话超时，请再试一下。', public: true }), 201)
  const t = ok(await api.agent.request('GET', `/api/v1/tickets/${number}`))
  const res = ok(
    await api.agent.request('POST', `/api/v1/tickets/${number}/transitions`, {
      to: 'resolved',
      resolution_code: state.resolutionCode,
      resolution_notes: notes,
      version: t.version,
    }),
  )
  assert.equal(res.status, 'resolved')
}

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  const teams = ok(await api.admin.request('GET', '/api/v1/teams?limit=100')).items
  state.infra = teams.find((x) => x.name === INFRA.name)
  assert.ok(state.infra, 'the default Infrastructure Operations team exists')
  state.serviceDesk = teams.find((x) => x.name === 'Service Desk')
  const requester = ok(
    await api.admin.request('POST', '/api/v1/users', {
      username: REQUESTER.username,
      display_name: REQUESTER.display,
      roles: ['requester'],
      locale: 'zh-CN',
      password: REQUESTER.password,
    }),
    201,
  )
  state.requesterId = requester.id
  const agent = ok(
    await api.admin.request('POST', '/api/v1/users', {
      username: AGENT.username,
      display_name: AGENT.display,
      roles: ['agent'],
      locale: 'zh-CN',
      password: AGENT.password,
    }),
    201,
  )
  ok(await api.admin.request('PATCH', `/api/v1/teams/${state.infra.id}`, { member_ids: [...state.infra.member_ids, agent.id], version: state.infra.version }))
  api.requester = new Api(base)
  await api.requester.login(REQUESTER.username, REQUESTER.password)
  api.agent = new Api(base)
  await api.agent.login(AGENT.username, AGENT.password)
  const wf = ok(await api.admin.request('GET', '/api/v1/workflows'))
  state.resolutionCode = wf.resolution_codes[0]
})

after(() => shutdown(server, Object.values(ctx)))

afterEach(() => assertNoPageErrors(errors))

describe('service desk pages in Chromium', { concurrency: false }, () => {
  test('admin creates an assignment rule in the UI: keyword VPN -> Infrastructure Operations', async () => {
    const page = await openContext('admin')
    await login(page, 'admin', ADMIN_PASSWORD)
    await page.waitForURL((u) => u.pathname === '/')
    await switchLanguage(page, 'en', () => settle(page), { skipIfCurrent: true })
    await page.click(tid('nav-admin-sd-rules'))
    await page.waitForURL('**/admin/service-desk/assignment-rules')
    await page.locator(`${tid('rules-table')} .el-table__empty-text`).waitFor()

    await page.click(tid('rules-create'))
    const dialog = page.locator(`${tid('rule-dialog')}:visible`)
    await dialog.waitFor()
    await page.fill(tid('rule-form-name'), RULE)
    await page.click(`${tid('rule-form-team')} .el-select__wrapper`)
    await page.locator(`${tid('rule-team-option')}[data-key="${INFRA.name}"]:visible`).click()
    await page.click(`${tid('rule-form-keywords')} .el-select__wrapper`)
    await page.keyboard.type('VPN')
    await page.keyboard.press('Enter')
    await page.keyboard.type('远程接入')
    await page.keyboard.press('Enter')
    await page.locator(`${tid('rule-form-keywords')} .el-tag:has-text("VPN")`).waitFor()
    await page.click(tid('rule-form-kinds') + ' label:has-text("Incident")')
    await shot(page, 'sd-rule-dialog-en')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/assignment-rules') && r.request().method() === 'POST')
    await page.click(tid('rule-form-submit'))
    assert.equal((await created).status(), 201)
    await dialog.waitFor({ state: 'hidden' })
    const ruleRow = page.locator(row('rule', RULE))
    await ruleRow.waitFor()
    assert.match(await ruleRow.innerText(), /Infrastructure Operations/)
    assert.match(await ruleRow.innerText(), /VPN/)

    // A second rule, then reorder: the VPN rule moves back to the top.
    ok(await api.admin.request('POST', '/api/v1/assignment-rules', { name: 'Everything else', team_id: state.serviceDesk.id, conditions: { kinds: ['request'] } }), 201)
    await page.reload()
    await page.locator(row('rule', 'Everything else')).waitFor()
    await page.locator(row('rule', 'Everything else')).locator(tid('rule-up')).click()
    await page.locator(`${tid('rules-table')} tbody tr:first-child ${tid('rule-row')}[data-key="Everything else"]`).waitFor()
    await page.locator(row('rule', RULE)).locator(tid('rule-up')).click()
    await page.locator(`${tid('rules-table')} tbody tr:first-child ${tid('rule-row')}[data-key="${RULE}"]`).waitFor()
    const rules = ok(await api.admin.request('GET', '/api/v1/assignment-rules')).items
    assert.deepEqual(rules.map((r) => r.name), [RULE, 'Everything else'], 'the server keeps the new order')
    assert.deepEqual(rules[0].conditions.keywords, ['VPN', '远程接入'])
    await shot(page, 'sd-rules-en')
    await switchLanguage(page, 'zh-CN', () => settle(page), { skipIfCurrent: true })
    await shot(page, 'sd-rules-zh-CN')
  })

  test('a requester reports a fault in Chinese and the rule dispatches it to Infrastructure Operations', async () => {
    const page = await openContext('requester')
    await login(page, REQUESTER.username, REQUESTER.password)
    await page.waitForURL('**/portal')
    await page.locator(tid('portal-tile-report')).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'the profile language applies')
    assert.match(await page.locator(tid('portal-tile-report')).innerText(), /报告故障/)
    assert.match(await page.locator(tid('portal-tile-tickets')).innerText(), /我的工单/)
    await shot(page, 'portal-home-tickets-zh-CN')

    await page.click(tid('portal-tile-report'))
    await page.waitForURL('**/portal/report')
    await page.fill(tid('report-title'), FAULT.title)
    await page.fill(tid('report-description'), FAULT.description)
    // Category: the cascader's search, "网络 / VPN".
    await page.click(`${tid('report-category')} input`)
    await page.keyboard.type('VPN')
    await page.locator('.el-cascader__suggestion-item:visible', { hasText: '网络' }).first().click()
    await page.click(tid('report-impact-3'))
    await page.click(tid('report-urgency-1'))
    await page.setInputFiles(`${tid('report-files')} input[type=file]`, {
      name: 'vpn-client.log',
      mimeType: 'text/plain',
      buffer: Buffer.from('2024-05-01 09:12:01 tunnel down: keepalive timeout\n'),
    })
    await page.locator(`${tid('report-files')} .el-upload-list__item`).waitFor()
    await shot(page, 'portal-report-zh-CN')

    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST')
    await page.click(tid('report-submit'))
    const res = await created
    assert.equal(res.status(), 201)
    const ticket = await res.json()
    state.fault = ticket.number
    assert.match(ticket.number, /^INC-\d{6}$/)
    await page.waitForURL(`**/portal/tickets/${ticket.number}`)
    await page.locator(tid('ticket-title')).waitFor()
    assert.equal(await page.locator(tid('ticket-title')).innerText(), FAULT.title)
    // Dispatched by the rule, named in the UI language.
    assert.equal((await page.locator(tid('ticket-team')).innerText()).trim(), INFRA.zh)
    await page.locator(`${tid('attachment-link')}:has-text("vpn-client.log")`).waitFor()
    const stored = ok(await api.admin.request('GET', `/api/v1/tickets/${ticket.number}`))
    assert.equal(stored.assignee_team_id, state.infra.id, 'assigned to Infrastructure Operations by the rule')
    assert.equal(stored.channel, 'web')
    assert.equal(stored.category_name_zh, 'VPN')
    assert.equal(stored.impact, 3)
    assert.equal(stored.urgency, 1)

    // A reply from the requester.
    await page.fill(tid('reply-input'), '补充：公司内网 Wi-Fi 下没有问题。')
    await page.click(tid('reply-send'))
    await page.locator(`${tid('comment')}:has-text("公司内网")`).waitFor()
    await shot(page, 'portal-ticket-zh-CN')

    // My tickets: open ones, then closed ones (none yet).
    await page.click(tid('ticket-back'))
    await page.waitForURL('**/portal/tickets')
    const card = page.locator(`${tid('ticket-card')}[data-key="${ticket.number}"]`)
    await card.waitFor()
    assert.match(await card.innerText(), /VPN 连接频繁断开/)
    await shot(page, 'portal-my-tickets-zh-CN')
    await page.click(tid('tickets-state-closed'))
    await page.locator(tid('tickets-empty')).waitFor()
    await page.click(tid('tickets-state-open'))
    await card.waitFor()
  })

  test('after the agent resolves it, the requester rates it 5 with a comment, once', async () => {
    await resolveAsAgent(state.fault, '已将 VPN 网关的会话空闲超时从 5 分钟调整为 60 分钟。')
    const page = pages.requester
    await page.click(`${tid('ticket-card')}[data-key="${state.fault}"]`)
    await page.waitForURL(`**/portal/tickets/${state.fault}`)
    await page.locator(tid('survey-card')).waitFor()
    assert.equal(await page.locator(tid('ticket-status')).getAttribute('data-key'), 'resolved')
    const reply = page.locator(`${tid('comment')}:has-text("VPN 网关")`)
    await reply.waitFor()
    assert.equal(await reply.locator(tid('comment-author')).innerText(), AGENT.display, 'the agent is named')
    assert.match(await page.locator(tid('ticket-resolution')).innerText(), /60 分钟/)
    await page.locator(tid('ticket-confirm')).waitFor()
    await page.locator(tid('ticket-reopen')).waitFor()
    await shot(page, 'portal-ticket-survey-zh-CN')

    // No stars: the survey asks for them first.
    await page.click(tid('survey-submit'))
    await page.locator(tid('survey-error')).waitFor()
    await page.locator(`${tid('survey-rate')} .el-rate__item`).nth(4).click()
    await page.fill(tid('survey-comment'), SURVEY_COMMENT)
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tickets/${state.fault}/survey`))
    await page.click(tid('survey-submit'))
    assert.equal((await answered).status(), 201)
    const answer = page.locator(tid('survey-answer'))
    await answer.waitFor()
    assert.equal(await page.locator(tid('survey-answer-rate')).getAttribute('data-key'), '5')
    assert.equal(await page.locator(tid('survey-answer-comment')).innerText(), SURVEY_COMMENT)
    assert.equal(await page.locator(tid('survey-card')).count(), 0)

    await page.reload()
    await answer.waitFor()
    await settle(page)
    assert.equal(await page.locator(tid('survey-card')).count(), 0, 'no second survey after a reload')
    assert.equal(await page.locator(tid('survey-answer-rate')).getAttribute('data-key'), '5')
    const stored = ok(await api.admin.request('GET', `/api/v1/tickets/${state.fault}`))
    assert.deepEqual({ rating: stored.survey.rating, comment: stored.survey.comment }, { rating: 5, comment: SURVEY_COMMENT })

    // The requester confirms: closed, no more reply box.
    await page.click(tid('ticket-confirm'))
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.getAttribute('data-key') === 'closed')
    assert.equal(await page.locator(tid('reply-input')).count(), 0)
    await switchLanguage(page, 'en', () => settle(page), { skipIfCurrent: true })
    await shot(page, 'portal-ticket-answered-en')
  })

  test('the requester reopens another resolved ticket with a reason, and withdraws a new one', async () => {
    const second = ok(
      await api.requester.request('POST', '/api/v1/tickets', {
        kind: 'incident',
        title: '打印机无法打印',
        description: '三楼打印机一直显示脱机。',
        impact: 2,
        urgency: 2,
      }),
      201,
    )
    await resolveAsAgent(second.number, '已重启打印机并重新安装驱动。')
    const page = pages.requester
    await page.goto(`/portal/tickets/${second.number}`)
    await page.locator(tid('ticket-reopen')).waitFor()
    // A reply and a file first: both change the ticket's version, the reopen still works.
    await page.fill(tid('reply-input'), 'Restarted it again this morning, still offline.')
    await page.click(tid('reply-send'))
    await page.locator(`${tid('comment')}:has-text("still offline")`).waitFor()
    await page.setInputFiles(`${tid('attachment-upload')} input[type=file]`, {
      name: '打印机状态.png',
      mimeType: 'image/png',
      buffer: Buffer.from('89504e470d0a1a0a', 'hex'),
    })
    await page.locator(`${tid('attachment-link')}:has-text("打印机状态.png")`).waitFor()
    await settle(page)
    await page.click(tid('ticket-reopen'))
    const dialog = page.locator(`${tid('reason-dialog')}:visible`)
    await dialog.waitFor()
    // A reason is required.
    await page.click(tid('reason-submit'))
    await page.locator(tid('reason-error')).waitFor()
    await page.fill(tid('reason-input'), 'Still offline after the restart.')
    await shot(page, 'portal-reopen-en')
    await page.click(tid('reason-submit'))
    await dialog.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.getAttribute('data-key') === 'reopened')
    const stored = ok(await api.admin.request('GET', `/api/v1/tickets/${second.number}`))
    assert.equal(stored.status, 'reopened')
    assert.equal(stored.reopen_count, 1)
    const timeline = ok(await api.admin.request('GET', `/api/v1/tickets/${second.number}/timeline`)).items
    assert.ok(JSON.stringify(timeline).includes('Still offline after the restart.'), 'the reason is in the timeline')
    assert.equal(await page.locator(tid('survey-card')).count(), 0, 'no survey on a reopened ticket')

    // A new ticket can be withdrawn.
    const third = ok(await api.requester.request('POST', '/api/v1/tickets', { kind: 'request', title: '申请一个新的显示器' }), 201)
    await page.goto(`/portal/tickets/${third.number}`)
    await page.click(tid('ticket-cancel'))
    await dialog.waitFor()
    await page.fill(tid('reason-input'), 'Found a spare one.')
    await page.click(tid('reason-submit'))
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.getAttribute('data-key') === 'cancelled')
    assert.equal(ok(await api.admin.request('GET', `/api/v1/tickets/${third.number}`)).cancel_reason, 'Found a spare one.')
  })

  test('the portal pages in English and at 390 px', async () => {
    const page = pages.requester
    await page.goto('/portal')
    await page.locator(tid('portal-tile-request')).waitFor()
    await shot(page, 'portal-home-tickets-en')
    await page.click(tid('portal-tile-request'))
    await page.waitForURL('**/portal/request')
    await page.locator(tid('report-urgency')).waitFor()
    assert.equal(await page.locator(tid('report-impact')).count(), 0, 'requests ask when, not who is affected')
    await shot(page, 'portal-request-en')
    await page.goto('/portal/tickets')
    await page.click(tid('tickets-state-all'))
    await page.locator(`${tid('ticket-card')}[data-key="${state.fault}"]`).waitFor()
    await shot(page, 'portal-my-tickets-en')

    await page.setViewportSize({ width: 390, height: 844 })
    for (const [path, ready, name] of [
      ['/portal/tickets', tid('ticket-card'), 'portal-my-tickets-390-en'],
      ['/portal/report', tid('report-title'), 'portal-report-390-en'],
      [`/portal/tickets/${state.fault}`, tid('survey-answer'), 'portal-ticket-390-en'],
    ]) {
      await page.goto(path)
      await page.locator(ready).first().waitFor()
      await settle(page)
      assert.ok((await scrollWidth(page)) <= 390, `${path} at 390 px: scrollWidth ${await scrollWidth(page)}`)
      await shot(page, name)
    }
    await switchLanguage(page, 'zh-CN', () => settle(page), { skipIfCurrent: true })
    await page.goto(`/portal/tickets/${state.fault}`)
    await page.locator(tid('survey-answer')).waitFor()
    assert.ok((await scrollWidth(page)) <= 390)
    await shot(page, 'portal-ticket-390-zh-CN')
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  test('admin edits a priority-matrix cell, sees a field error, and saves', async () => {
    const page = pages.admin
    await switchLanguage(page, 'en', () => settle(page), { skipIfCurrent: true })
    await page.click(tid('nav-admin-sd-matrix'))
    await page.waitForURL('**/admin/service-desk/priority-matrix')
    await page.locator(tid('matrix-cell-3-3')).waitFor()
    const before = ok(await api.admin.request('GET', '/api/v1/priority-matrix'))
    assert.equal(before.cells[8], 'P5')

    const pick = async (cell, p) => {
      await page.click(`${tid(`matrix-cell-${cell}`)} .el-select__wrapper`)
      await page.locator(`.el-select__popper:not([aria-hidden="true"]) ${tid(`matrix-option-${p}`)}`).click()
      await page.locator('.el-select__popper:visible').waitFor({ state: 'hidden' })
    }
    // Impact 1 x urgency 1 at P5 would rank below its neighbours: the server names the cell.
    await pick('1-1', 'P5')
    const seen = await errors.expecting([400], async () => {
      await page.click(tid('matrix-save'))
      await page.locator(tid('matrix-error')).waitFor()
    })
    assert.equal(seen.length, 1)
    assert.match(await page.locator(tid('matrix-error')).innerText(), /Impact 1 × urgency 2/)
    await page.locator('td.bad').waitFor()
    await shot(page, 'sd-matrix-error-en')
    await pick('1-1', 'P1')
    await pick('3-3', 'P4')
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/priority-matrix') && r.request().method() === 'PUT')
    await page.click(tid('matrix-save'))
    assert.equal((await saved).status(), 200)
    await page.locator(tid('matrix-error')).waitFor({ state: 'hidden' })
    const after = ok(await api.admin.request('GET', '/api/v1/priority-matrix'))
    assert.equal(after.cells[8], 'P4')
    assert.equal(after.version, before.version + 1)
    await shot(page, 'sd-matrix-en')
    await switchLanguage(page, 'zh-CN', () => settle(page), { skipIfCurrent: true })
    await shot(page, 'sd-matrix-zh-CN')
  })

  test('admin creates a subcategory; other service desk pages render in both languages', async () => {
    const page = pages.admin
    await page.click(tid('nav-admin-sd-categories'))
    await page.waitForURL('**/admin/service-desk/categories')
    const network = page.locator(row('category', 'network'))
    await network.waitFor()
    await network.locator(tid('category-add-child')).click()
    const dialog = page.locator(`${tid('category-dialog')}:visible`)
    await dialog.waitFor()
    assert.equal(await page.inputValue(tid('category-form-code')), 'network.')
    await page.fill(tid('category-form-code'), 'network.proxy')
    await page.fill(tid('category-form-name'), 'Web proxy')
    await page.fill(tid('category-form-name-zh'), '上网代理')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/categories') && r.request().method() === 'POST')
    await page.click(tid('category-form-submit'))
    assert.equal((await created).status(), 201)
    await dialog.waitFor({ state: 'hidden' })
    const proxy = page.locator(row('category', 'network.proxy'))
    await proxy.waitFor()
    assert.match(await proxy.innerText(), /上网代理/)
    const cats = ok(await api.admin.request('GET', '/api/v1/categories')).items
    const stored = cats.find((c) => c.code === 'network.proxy')
    assert.equal(stored.parent_id, cats.find((c) => c.code === 'network').id)
    await shot(page, 'sd-categories-zh-CN')

    for (const [nav, ready, name] of [
      ['nav-admin-sd-dispatch', tid('dispatch-row'), 'sd-dispatch'],
      ['nav-admin-sd-settings', tid('settings-auto-close'), 'sd-settings'],
      ['nav-admin-sd-surveys', tid('survey-row'), 'sd-surveys'],
    ]) {
      await page.click(tid(nav))
      await page.locator(ready).first().waitFor()
      await shot(page, `${name}-zh-CN`)
    }
    assert.match(await page.locator(tid('surveys-average-value')).innerText(), /^5\.00$/)
    await switchLanguage(page, 'en', () => settle(page), { skipIfCurrent: true })
    await shot(page, 'sd-surveys-en')
    await page.click(tid('nav-admin-sd-settings'))
    await page.locator(tid('settings-auto-close')).waitFor()
    await shot(page, 'sd-settings-en')
    await page.click(tid('nav-admin-sd-dispatch'))
    await page.locator(tid('dispatch-row')).first().waitFor()
    await shot(page, 'sd-dispatch-en')
    await page.click(tid('nav-admin-sd-categories'))
    await page.locator(row('category', 'network.proxy')).waitFor()
    await shot(page, 'sd-categories-en')
  })

  test('admin sets a dispatch strategy and a setting, and a user’s organisation', async () => {
    const page = pages.admin
    await page.click(tid('nav-admin-sd-dispatch'))
    const infraRow = page.locator(row('dispatch', INFRA.name))
    await infraRow.waitFor()
    await infraRow.locator(`${tid('dispatch-strategy')} .el-select__wrapper`).click()
    const put = page.waitForResponse((r) => r.url().endsWith(`/api/v1/teams/${state.infra.id}/dispatch`))
    await page.locator(`.el-select__popper:not([aria-hidden="true"]) ${tid('dispatch-option-round_robin')}`).click()
    assert.equal((await put).status(), 200)
    const strategies = ok(await api.admin.request('GET', '/api/v1/dispatch-strategies')).items
    assert.equal(strategies.find((s) => s.team_id === state.infra.id)?.strategy, 'round_robin')

    await page.click(tid('nav-admin-sd-settings'))
    const days = page.locator(`${tid('settings-auto-close')} input`)
    await days.waitFor()
    await days.fill('10')
    await page.click(tid('settings-see-organisation'))
    const patched = page.waitForResponse((r) => r.url().endsWith('/api/v1/ticket-settings') && r.request().method() === 'PATCH')
    await page.click(tid('settings-save'))
    assert.equal((await patched).status(), 200)
    const settings = ok(await api.admin.request('GET', '/api/v1/ticket-settings'))
    assert.equal(settings.auto_close_days, 10)
    assert.equal(settings.requesters_see_organisation, true)

    await page.click(tid('nav-admin-users'))
    const userRow = page.locator(row('user', REQUESTER.username))
    await userRow.waitFor()
    await userRow.locator(tid('user-edit')).click()
    const dialog = page.locator(`${tid('user-dialog')}:visible`)
    await dialog.waitFor()
    await page.fill(tid('user-form-organisation'), '财务部')
    await shot(page, 'user-dialog-organisation-en')
    await page.click(tid('user-form-submit'))
    await dialog.waitFor({ state: 'hidden' })
    const user = ok(await api.admin.request('GET', `/api/v1/users/${state.requesterId}`))
    assert.equal(user.organisation, '财务部')
  })

  test('an agent sees the service desk configuration read-only', async () => {
    const page = await openContext('agent')
    await login(page, AGENT.username, AGENT.password)
    await page.waitForURL((u) => u.pathname === '/')
    await page.click(tid('nav-admin-sd-matrix'))
    await page.locator(tid('matrix-cell-1-1')).waitFor()
    assert.equal(await page.locator(tid('matrix-save')).count(), 0, 'no save button')
    assert.ok(await page.locator(`${tid('matrix-cell-1-1')} input`).isDisabled(), 'cells are read-only')
    await page.click(tid('nav-admin-sd-rules'))
    await page.locator(row('rule', RULE)).waitFor()
    assert.equal(await page.locator(tid('rules-create')).count(), 0)
    assert.equal(await page.locator(tid('rule-edit')).count(), 0)
    await page.click(tid('nav-admin-sd-categories'))
    await page.locator(row('category', 'network.proxy')).waitFor()
    assert.equal(await page.locator(tid('categories-create')).count(), 0)
    await page.click(tid('nav-admin-sd-settings'))
    await page.locator(tid('settings-auto-close')).waitFor()
    assert.equal(await page.locator(tid('settings-save')).count(), 0)
    await shot(page, 'sd-settings-readonly-zh-CN')
  })
})

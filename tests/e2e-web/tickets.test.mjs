// Browser tests of the agent workspace of the service desk (web/src/modules/tickets): queues,
// the ticket page (transitions, internal note, worklog, timeline), search in Chinese, bulk
// assignment, the priority matrix, the new-ticket form and a major incident. The real binary,
// Debian's Chromium via playwright-core, `node --test`; the steps share one server and run in
// order. Screenshots of each page in en and zh-CN go to $YUNWEI_SCREENSHOTS.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  adminApi, assertNoPageErrors, closeOptions, createUsers, ErrorCollector, getTicket, openPage, pickOption, pickUser, screenshot, setTeamMembers, shutdown, startServer,
  switchLanguage, tid, userApi,
} from './support.mjs'

const ADMIN_PASSWORD = 'Admin-e2e-tickets-1'
const AGENT = { username: 'zhaolei', display: '赵磊 Zhao Lei', password: 'Agent-pass-1' }
const AGENT2 = { username: 'emily', display: 'Emily Zhou', password: 'Agent-pass-2' }
const REQUESTER = { username: 'wangxm', display: '王小明', password: 'Requester-1' }

const ticketRow = (number) => `tr:has([data-test="ticket-row"][data-key="${number}"])`

let server
let base
const errors = new ErrorCollector()
let context
let page
let idle
const api = {}
const ids = {}
const numbers = {}

const settle = () => idle()
const shot = (name) => screenshot(page, name, settle)

async function visibleTransitions() {
  return (await page.locator(`${tid('transitions')} [data-test^="transition-"]`).evaluateAll((els) => els.map((e) => e.dataset.test.replace('transition-', '')))).sort()
}

const apiTicket = (number) => getTicket(api.agent, number)

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  Object.assign(ids, await createUsers(api.admin, [
    ['agent', AGENT, ['agent'], 'en'],
    ['agent2', AGENT2, ['agent'], 'en'],
    ['requester', REQUESTER, ['requester'], 'zh-CN'],
  ]))
  // The agents work in the Service Desk (a default team); the first one leads it.
  const teams = await setTeamMembers(api.admin, {
    'Service Desk': { member_ids: [ids.agent, ids.agent2], lead_id: ids.agent },
    'Infrastructure Operations': { member_ids: [ids.agent2] },
  })
  ids.sd = teams['Service Desk'].id
  ids.infra = teams['Infrastructure Operations'].id

  api.agent = await userApi(base, AGENT.username, AGENT.password)
  const create = async (body) => {
    const res = await api.agent.request('POST', '/api/v1/tickets', { requester_id: ids.requester, ...body })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    return res.body.number
  }
  // Mine: assigned to the agent. Two more land in the Service Desk queue without a person.
  numbers.network = await create({
    kind: 'incident', title: '办公室网络中断 Office network down', channel: 'phone', impact: 2, urgency: 1,
    description: '三楼整层网络无法访问，约 20 人受影响。VPN 也连不上。',
    assignee_team_id: ids.sd, assignee_id: ids.agent,
  })
  numbers.printer = await create({ kind: 'incident', title: '打印机卡纸 Printer jam on floor 2', description: 'HP LaserJet 报错 13.A', assignee_team_id: ids.sd })
  numbers.mail = await create({ kind: 'incident', title: '邮件发送缓慢 Mail is slow', description: 'Outlook 发送邮件要一分钟', impact: 2, urgency: 2, assignee_team_id: ids.sd })
  numbers.laptop = await create({ kind: 'request', title: '申请新笔记本 New laptop for an intern', description: '实习生下周一入职', assignee_team_id: ids.sd, assignee_id: ids.agent })

  ;({ context, page, idle } = await openPage(base, 'tickets-agent', errors, 'agent'))
})

after(() => shutdown(server, [context]))

afterEach(() => assertNoPageErrors(errors))

describe('service desk agent workspace in Chromium', { concurrency: false }, () => {
  test('an agent opens a queue and a ticket, starts work, adds an internal note and a worklog, resolves it; the timeline shows it all', async () => {
    await page.goto('/')
    await page.waitForURL('**/login')
    await page.fill(tid('login-username'), AGENT.username)
    await page.fill(tid('login-password'), AGENT.password)
    await page.click(tid('login-submit'))
    await page.waitForURL((u) => u.pathname === '/')
    await page.click(tid('nav-servicedesk-queue'))
    await page.waitForURL((u) => u.pathname === '/tickets')
    // "My tickets" is the default view: the two assigned to the agent, not the others.
    await page.locator(tid('ticket-row')).first().waitFor()
    await settle()
    const mine = await page.locator(tid('ticket-row')).evaluateAll((els) => els.map((e) => e.dataset.key).sort())
    assert.deepEqual(mine, [numbers.network, numbers.laptop].sort())
    await shot('tickets-queue-en')

    // The view and filters are in the URL.
    await page.click(tid('queue-view-all'))
    await page.waitForURL((u) => u.searchParams.get('view') === 'all')
    await page.locator(ticketRow(numbers.printer)).waitFor()
    await page.click(tid('queue-view-mine'))
    await page.waitForURL((u) => u.searchParams.get('view') === 'mine')

    await page.locator(`${ticketRow(numbers.network)} ${tid('ticket-row')}`).click()
    await page.waitForURL((u) => u.pathname === `/tickets/${numbers.network}`)
    await page.locator(tid('ticket-title')).waitFor()
    assert.match(await page.locator(tid('ticket-title')).innerText(), /办公室网络中断/)
    assert.equal(await page.locator(tid('ticket-status')).getAttribute('data-key'), 'assigned')
    // Only the transitions the server allows from here.
    let allowed = (await apiTicket(numbers.network)).allowed_transitions.map((t) => t.to).sort()
    assert.deepEqual(await visibleTransitions(), allowed)
    assert.ok(!allowed.includes('closed'))
    await shot('ticket-detail-en')

    // Assigned -> in progress needs no fields: straight away.
    await page.click(tid('transition-in_progress'))
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.dataset.key === 'in_progress')
    await settle()
    allowed = (await apiTicket(numbers.network)).allowed_transitions.map((t) => t.to).sort()
    assert.deepEqual(await visibleTransitions(), allowed)
    assert.ok(allowed.includes('resolved') && !allowed.includes('in_progress'))

    // An internal note.
    await page.click(tid('comment-internal'))
    await page.fill(tid('comment-body'), '核心交换机端口 Gi1/0/24 故障，已切换到备用链路。')
    await page.click(tid('comment-submit'))
    const note = page.locator(`${tid('timeline-entry')}[data-action="ticket.comment"]`).first()
    await note.waitFor()
    assert.match(await note.locator(tid('timeline-comment')).innerText(), /Gi1\/0\/24/)
    await note.locator(tid('timeline-internal')).waitFor()

    // A worklog: 45 minutes; totals per ticket and per person.
    await page.click(tid('worklog-add'))
    await page.fill(`${tid('worklog-minutes')} input`, '45')
    await page.fill(tid('worklog-note'), 'Replaced the uplink cable')
    await page.click(tid('worklog-submit'))
    await page.locator(tid('worklog-row')).first().waitFor()
    assert.equal(await page.locator(tid('worklog-total')).innerText(), '45 min')
    assert.match(await page.locator(tid('worklog-by-person')).innerText(), /Zhao Lei[\s\S]*45 min/)
    await page.locator(`${tid('timeline-entry')}[data-action="ticket.worklog"]`).first().waitFor()

    // An attachment (multipart upload) with its download link, and a link to another ticket.
    await page.setInputFiles(tid('attachment-input'), { name: '交换机日志 switch.log', mimeType: 'text/plain', buffer: Buffer.from('Gi1/0/24 down\n') })
    const file = page.locator(`${tid('attachment-row')}[data-key="交换机日志 switch.log"]`)
    await file.waitFor()
    const href = await file.locator(tid('attachment-link')).getAttribute('href')
    assert.match(href, new RegExp(`^/api/v1/tickets/${numbers.network}/attachments/\\d+$`))
    const download = await context.request.get(href)
    assert.equal(download.status(), 200)
    assert.equal(await download.text(), 'Gi1/0/24 down\n')
    assert.match(download.headers()['content-disposition'], /^attachment;/)
    await page.click(tid('link-add'))
    await pickOption(page, 'link-type', 'link-type-option', 'related_to')
    await page.fill(tid('link-to'), numbers.mail.toLowerCase())
    await page.click(tid('link-submit'))
    await page.locator(`${tid('link-row')}[data-key="${numbers.mail}"]`).waitFor()

    // Resolve: the dialog asks for the resolution code and notes only.
    await page.click(tid('transition-resolved'))
    const dialog = page.locator(`${tid('transition-dialog')}:visible`)
    await dialog.waitFor()
    assert.equal(await dialog.locator(tid('tr-resolution-code')).count(), 1)
    assert.equal(await dialog.locator(tid('tr-resolution-notes')).count(), 1)
    assert.equal(await dialog.locator(tid('tr-pending-reason')).count(), 0)
    assert.equal(await dialog.locator(tid('tr-cancel-reason')).count(), 0)
    // Empty: the form says what is missing, nothing is sent.
    await page.click(tid('transition-submit'))
    await dialog.locator('.el-form-item__error').first().waitFor()
    assert.equal(await dialog.locator('.el-form-item__error').count(), 2)
    await pickOption(page, 'tr-resolution-code', 'resolution-option', 'fixed')
    await page.fill(tid('tr-resolution-notes'), '更换上联网线，网络已恢复。Uplink cable replaced.')
    await shot('ticket-resolve-dialog-en')
    await page.click(tid('transition-submit'))
    await dialog.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.dataset.key === 'resolved')
    await settle()
    allowed = (await apiTicket(numbers.network)).allowed_transitions.map((t) => t.to).sort()
    assert.deepEqual(await visibleTransitions(), allowed)
    assert.match(await page.locator(tid('ticket-resolution')).innerText(), /Fixed[\s\S]*Uplink cable replaced/)

    // The timeline: both transitions with before -> after, the note, the worklog.
    const changes = await page.locator(tid('timeline-change')).allInnerTexts()
    assert.ok(changes.includes('Status: Assigned → In progress'), changes.join(' | '))
    assert.ok(changes.includes('Status: In progress → Resolved'), changes.join(' | '))
    assert.ok(changes.some((c) => /^Resolution code: — → Fixed$|^Resolution code: Fixed$/.test(c)), changes.join(' | '))
    const lines = await page.locator(tid('timeline-line')).allInnerTexts()
    assert.ok(lines.some((l) => /Logged 45 min — Replaced the uplink cable/.test(l)), lines.join(' | '))
    const t = await apiTicket(numbers.network)
    assert.equal(t.status, 'resolved')
    assert.equal(t.resolution_code, 'fixed')
    await page.locator(tid('timeline')).scrollIntoViewIfNeeded()
    await shot('ticket-timeline-en')
  })

  test('an agent searches a two-character Chinese word and gets the ticket with a highlighted snippet', async () => {
    await page.click(tid('ticket-back'))
    await page.waitForURL((u) => u.pathname === '/tickets')
    await page.fill(tid('ticket-search'), '网络')
    const hit = page.locator(`${tid('search-hit')}[data-key="${numbers.network}"]`)
    await hit.waitFor()
    const marks = await hit.locator(`${tid('search-snippet')} mark`).allInnerTexts()
    assert.ok(marks.includes('网络'), `highlighted: ${marks}`)
    // Only the ticket that has the word.
    assert.equal(await page.locator(`${tid('search-hit')}[data-key="${numbers.printer}"]`).count(), 0)
    await shot('tickets-search-en')
    await hit.click()
    await page.waitForURL((u) => u.pathname === `/tickets/${numbers.network}`)
    await page.locator(tid('ticket-title')).waitFor()
  })

  test('bulk-assign two tickets to a person from the unassigned queue, with the result of each', async () => {
    // My team: the Service Desk queue, chosen for the agent.
    await page.goto('/tickets')
    await page.locator(tid('ticket-row')).first().waitFor()
    await page.click(tid('queue-view-team'))
    await page.waitForURL((u) => u.searchParams.get('view') === 'team' && u.searchParams.get('team') === String(ids.sd))
    await page.locator(ticketRow(numbers.printer)).waitFor()
    await page.click(tid('queue-view-unassigned'))
    await page.waitForURL((u) => u.searchParams.get('view') === 'unassigned')
    await page.locator(ticketRow(numbers.printer)).waitFor()
    await page.locator(ticketRow(numbers.mail)).waitFor()
    await settle()
    for (const n of [numbers.printer, numbers.mail]) await page.locator(`${ticketRow(n)} .el-checkbox`).click()
    await page.locator(tid('bulk-bar')).waitFor()
    assert.match(await page.locator(tid('bulk-bar')).innerText(), /2 selected/)
    await page.click(tid('bulk-assign'))
    const dialog = page.locator(`${tid('bulk-dialog')}:visible`)
    await dialog.waitFor()
    await pickOption(page, 'bulk-form-team', 'team-option', 'Service Desk')
    await pickUser(page, 'bulk-form-assignee', AGENT2.username, ids.agent2)
    await page.click(tid('bulk-submit'))
    await dialog.locator(tid('bulk-results')).waitFor()
    const results = await dialog.locator(tid('bulk-result')).evaluateAll((els) => els.map((e) => `${e.dataset.key}:${e.dataset.ok}`).sort())
    assert.deepEqual(results, [`${numbers.printer}:true`, `${numbers.mail}:true`].sort())
    await shot('tickets-bulk-result-en')
    await page.click(tid('bulk-close'))
    await dialog.waitFor({ state: 'hidden' })
    // Now assigned: gone from the unassigned queue.
    await page.locator(ticketRow(numbers.printer)).waitFor({ state: 'detached' })
    for (const n of [numbers.printer, numbers.mail]) {
      const tk = await apiTicket(n)
      assert.equal(tk.assignee_id, ids.agent2)
      assert.equal(tk.assignee_team_id, ids.sd)
    }
  })

  test('saved views: save the current filters, apply them later, delete them', async () => {
    await page.goto('/tickets?view=all&priority=P2,P3')
    await page.locator(ticketRow(numbers.mail)).waitFor()
    await page.click(tid('views-menu'))
    await page.locator(`${tid('views-save')}:visible`).click()
    await page.locator(`${tid('view-dialog')}:visible`).waitFor()
    await page.fill(tid('view-name'), 'P2/P3 全部')
    await page.click(tid('view-save-submit'))
    await page.locator(`${tid('view-dialog')}:visible`).waitFor({ state: 'hidden' })
    const views = (await api.agent.request('GET', '/api/v1/me/ticket-views')).body.items
    assert.deepEqual(views.map((v) => [v.name, v.query]), [['P2/P3 全部', { view: 'all', priority: 'P2,P3' }]])

    await page.click(tid('queue-reset'))
    await page.click(tid('queue-view-mine'))
    await page.waitForURL((u) => u.searchParams.get('view') === 'mine' && !u.searchParams.get('priority'))
    await page.click(tid('views-menu'))
    await page.locator(`${tid('view-item')}[data-key="P2/P3 全部"] ${tid('view-apply')}`).click()
    await page.waitForURL((u) => u.searchParams.get('view') === 'all' && u.searchParams.get('priority') === 'P2,P3')
    await page.locator(ticketRow(numbers.mail)).waitFor()
    assert.match(await page.locator(tid('views-menu')).innerText(), /P2\/P3 全部/)

    await page.click(tid('views-menu'))
    await page.locator(`${tid('view-item')}[data-key="P2/P3 全部"] ${tid('view-delete')}`).click()
    await page.locator(`${tid('confirm-ok')}:visible`).click()
    await page.locator(`${tid('view-item')}[data-key="P2/P3 全部"]`).waitFor({ state: 'detached' })
    assert.deepEqual((await api.agent.request('GET', '/api/v1/me/ticket-views')).body.items, [])
  })

  test('editing impact and urgency shows the priority matrix with the resulting cell; an override needs a reason', async () => {
    await page.goto(`/tickets/${numbers.mail}`)
    await page.locator(tid('ticket-title')).waitFor()
    await page.click(tid('ticket-edit'))
    const dialog = page.locator(`${tid('edit-dialog')}:visible`)
    await dialog.waitFor()
    const matrix = dialog.locator(tid('priority-matrix'))
    await matrix.waitFor()
    assert.equal(await matrix.locator('[data-active="true"]').getAttribute('data-test'), 'matrix-cell-2-2')
    await pickOption(page, 'edit-impact', 'edit-impact-option', '1')
    await pickOption(page, 'edit-urgency', 'edit-urgency-option', '1')
    assert.equal(await matrix.locator('[data-active="true"]').getAttribute('data-test'), 'matrix-cell-1-1')
    assert.equal(await matrix.locator('[data-active="true"]').innerText(), 'P1')
    assert.match(await dialog.locator(tid('edit-derived')).innerText(), /^P1/)
    // A click on a cell chooses impact and urgency together.
    await matrix.locator(tid('matrix-cell-1-2')).click()
    assert.match(await dialog.locator(tid('edit-derived')).innerText(), /^P2/)
    await shot('ticket-edit-matrix-en')

    // Override to P1 without a reason: refused by the form; with one: saved and in the timeline.
    await page.click(tid('edit-override'))
    await pickOption(page, 'edit-priority', 'edit-priority-option', 'P1')
    await page.click(tid('edit-submit'))
    await dialog.locator(`.el-form-item:has(${tid('edit-priority-reason')}) .el-form-item__error`).waitFor()
    await page.fill(tid('edit-priority-reason'), 'CEO 的邮箱受影响 CEO affected')
    await page.click(tid('edit-submit'))
    await dialog.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-priority"]')?.dataset.key === 'P1')
    const tk = await apiTicket(numbers.mail)
    assert.deepEqual([tk.impact, tk.urgency, tk.priority, tk.priority_overridden], [1, 2, 'P1', true])
    await page.locator(`${tid('timeline-line')}:has-text("CEO affected")`).waitFor()

    // Functional escalation: handed over to Infrastructure Operations with a note.
    await page.click(tid('ticket-escalate'))
    await page.locator(`${tid('escalate-functional-item')}:visible`).click()
    const esc = page.locator(`${tid('escalate-dialog')}:visible`)
    await esc.waitFor()
    await pickOption(page, 'escalate-team', 'team-option', 'Infrastructure Operations')
    await page.fill(tid('escalate-note'), 'Exchange 服务器磁盘队列过长，需要基础设施排查')
    await page.click(tid('escalate-submit'))
    await esc.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => /Infrastructure Operations/.test(document.querySelector('[data-test="ticket-team"]')?.textContent ?? ''))
    assert.equal((await apiTicket(numbers.mail)).assignee_team_id, ids.infra)
    await page.locator(`${tid('timeline-entry')}[data-action="ticket.escalate"]`).first().waitFor()
  })

  test('an agent records a phone call with the new-ticket form and lands on the ticket; declares it a major incident', async () => {
    await page.click(tid('nav-servicedesk-new'))
    await page.waitForURL((u) => u.pathname === '/tickets/new')
    await page.locator(tid('new-ticket-form')).waitFor()
    await page.fill(tid('new-title'), 'ERP 登录失败 ERP login fails for everyone')
    await page.fill(tid('new-description'), '所有用户登录 ERP 报错 ORA-00600。')
    await pickUser(page, 'new-requester', REQUESTER.username, ids.requester)
    await pickOption(page, 'new-channel', 'channel-option', 'phone')
    // Impact 1 × urgency 1: the live priority follows the matrix.
    await pickOption(page, 'new-impact', 'new-impact-option', '1')
    assert.match(await page.locator(tid('new-priority-value')).innerText(), /^P3/)
    await pickOption(page, 'new-urgency', 'new-urgency-option', '1')
    assert.match(await page.locator(tid('new-priority-value')).innerText(), /^P1/)
    assert.equal(await page.locator(`${tid('new-priority')} [data-active="true"]`).getAttribute('data-test'), 'matrix-cell-1-1')
    await shot('ticket-new-en')
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST')
    await page.click(tid('new-submit'))
    const res = await created
    assert.equal(res.status(), 201)
    const body = await res.json()
    numbers.erp = body.number
    await page.waitForURL((u) => u.pathname === `/tickets/${numbers.erp}`)
    await page.locator(tid('ticket-title')).waitFor()
    assert.equal(body.channel, 'phone')
    assert.equal(body.requester_id, ids.requester)
    assert.equal(body.priority, 'P1')
    // No team chosen and no rule matches: the service desk's, untriaged ("new") until someone
    // takes it, hands it on or resolves it; it cannot wait (pending) yet.
    assert.equal(body.assignee_team_id, ids.sd)
    assert.equal(body.status, 'new')
    assert.equal(await page.locator(tid('ticket-status')).getAttribute('data-key'), 'new')
    const allowed = (await apiTicket(numbers.erp)).allowed_transitions.map((t) => t.to).sort()
    assert.deepEqual(allowed, ['assigned', 'cancelled', 'in_progress', 'resolved'])
    assert.deepEqual(await visibleTransitions(), allowed)

    await page.click(tid('major-declare'))
    const dialog = page.locator(`${tid('major-dialog')}:visible`)
    await dialog.waitFor()
    await page.fill(`${tid('major-cadence')} input`, '15')
    await pickUser(page, 'major-stakeholders', AGENT2.username, ids.agent2)
    await closeOptions(page, 'user-option')
    await page.click(tid('major-submit'))
    await dialog.waitFor({ state: 'hidden' })
    const banner = page.locator(tid('major-banner'))
    await banner.waitFor()
    assert.match(await banner.innerText(), /Major incident[\s\S]*15 min[\s\S]*Next update due[\s\S]*Emily Zhou/)
    const tk = await apiTicket(numbers.erp)
    assert.deepEqual([tk.major, tk.major_cadence_minutes, tk.major_stakeholder_ids], [true, 15, [ids.agent2]])
    await shot('ticket-major-en')

    await page.goto('/tickets?view=major')
    await page.locator(ticketRow(numbers.erp)).waitFor()
    assert.equal(await page.locator(tid('ticket-row')).count(), 1)
  })

  test('the pages in Chinese', async () => {
    await switchLanguage(page, 'zh-CN', settle)
    await page.goto('/tickets?view=all')
    await page.locator(ticketRow(numbers.erp)).waitFor()
    assert.equal(await page.locator(tid('queue-view-mine')).innerText(), '我的工单')
    await shot('tickets-queue-zh-CN')
    await page.fill(tid('ticket-search'), '网络')
    await page.locator(`${tid('search-hit')}[data-key="${numbers.network}"]`).waitFor()
    await shot('tickets-search-zh-CN')
    await page.keyboard.press('Escape')

    await page.goto(`/tickets/${numbers.erp}`)
    await page.locator(tid('major-banner')).waitFor()
    assert.match(await page.locator(tid('major-banner')).innerText(), /重大事件/)
    await shot('ticket-major-zh-CN')
    // Stand down: the banner goes, the ticket stays open.
    await page.click(tid('major-standdown'))
    await page.locator(`${tid('confirm-ok')}:visible`).click()
    await page.locator(tid('major-banner')).waitFor({ state: 'detached' })
    await page.locator(tid('major-declare')).waitFor()
    assert.equal((await apiTicket(numbers.erp)).major, false)

    await page.goto(`/tickets/${numbers.network}`)
    await page.locator(tid('timeline')).waitFor()
    const changes = await page.locator(tid('timeline-change')).allInnerTexts()
    assert.ok(changes.includes('状态：处理中 → 已解决'), changes.join(' | '))
    await shot('ticket-detail-zh-CN')

    await page.goto(`/tickets/${numbers.printer}`)
    await page.locator(tid('ticket-edit')).click()
    await page.locator(`${tid('edit-dialog')}:visible ${tid('priority-matrix')}`).waitFor()
    await shot('ticket-edit-matrix-zh-CN')
    await page.click(tid('edit-cancel'))

    await page.goto('/tickets/new')
    await page.locator(tid('new-ticket-form')).waitFor()
    await shot('ticket-new-zh-CN')
    await switchLanguage(page, 'en', settle)
  })
})

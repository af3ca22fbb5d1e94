// Browser test of the SLA in lists, the "at risk / breached" queue, the dashboard's compliance
// card, the SLA report and the timeline's threshold events (issue #5): the server runs with
// --test-clock, so the test moves its time forward (POST /api/v1/test/clock) instead of waiting,
// and moves Chromium's clock along (Playwright's clock) so the page measures "due in" / "overdue"
// from the same time. A P2 incident (24×7: response 30 min, resolution 8 h) gets marked at risk
// 25 minutes in and breaches both targets 9 hours later; another P2 meets both. The real binary,
// Debian's Chromium via playwright-core, `node --test`; the steps share one server and run in
// order. Screenshots in en and zh-CN go to $YUNWEI_SCREENSHOTS.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  adminApi, assertNoPageErrors, createUsers, ErrorCollector, getTicket, login, ok, openPage, pastLogin, screenshot, setTeamMembers, shutdown, startServer,
  switchLanguage, tid, userApi,
} from './support.mjs'

const ADMIN_PASSWORD = 'Admin-e2e-slaq-1'
const AGENT = { username: 'liqiang', display: '李强 Li Qiang', password: 'Agent-slaq-pass-1' }
const REQUESTER = { username: 'chenjing', display: '陈静', password: 'Requester-slaq-1' }

let server
let base
const errors = new ErrorCollector()
let context
let page
let idle
const api = {}
const ids = {}
/** late: breaches both targets; ontime: meets both. */
const numbers = {}

const queueRow = (number) => `${tid('sla-queue-row')}[data-key="${number}"]`
/** The <tr> of a ticket in a table whose first cell holds the marker. */
const rowOf = (marker, number) => page.locator(`tr:has(${tid(marker)}[data-key="${number}"])`)

/** Chromium's clock follows the server's test clock (its time runs on from there). */
async function syncBrowserClock() {
  const c = ok(await api.admin.request('GET', '/api/v1/test/clock'))
  await context.clock.setSystemTime(new Date(c.now))
  return c
}

async function advance(minutes) {
  ok(await api.admin.request('POST', '/api/v1/test/clock', { advance_minutes: minutes }))
  return syncBrowserClock()
}

const apiTicket = (number) => getTicket(api.agent, number)

/** Polls the API until the ticket's SLA flag is `flag` (the tracker runs about a second behind). */
async function waitApiFlag(number, flag, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const t = await apiTicket(number)
    if (t.sla?.flag === flag) return t
    if (Date.now() > until) throw new Error(`${number}: SLA flag ${JSON.stringify(t.sla)} is not ${flag} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Refreshes the open queue page until the ticket's row shows the flag (up to ~10 s). */
async function waitQueueFlag(number, flag, timeoutMs = 10000) {
  const row = page.locator(`${queueRow(number)}[data-flag="${flag}"]`)
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await row.count()) return row
    if (Date.now() > until) throw new Error(`the queue does not show ${number} as ${flag} after ${timeoutMs} ms`)
    await page.click(tid('sla-queue-refresh'))
    await idle()
    await page.waitForTimeout(300)
  }
}

async function cellText(number, part) {
  return (await rowOf('sla-queue-row', number).locator(tid(part)).first().innerText()).trim()
}

before(async () => {
  server = await startServer(ADMIN_PASSWORD, { serveArgs: ['--test-clock'] })
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  Object.assign(ids, await createUsers(api.admin, [
    ['agent', AGENT, ['agent'], 'en'],
    ['requester', REQUESTER, ['requester'], 'zh-CN'],
  ]))
  const teams = await setTeamMembers(api.admin, { 'Service Desk': { member_ids: [ids.agent], lead_id: ids.agent } })
  ids.sd = teams['Service Desk'].id
  api.agent = await userApi(base, AGENT.username, AGENT.password)

  // The late one, created by the admin: impact 1 × urgency 2 = P2, in the Service Desk, the agent's.
  const late = ok(await api.admin.request('POST', '/api/v1/tickets', {
    kind: 'incident', title: 'VPN 网关故障 VPN gateway down', description: '分支机构无法接入总部网络。',
    impact: 1, urgency: 2, requester_id: ids.requester, assignee_team_id: ids.sd, assignee_id: ids.agent,
  }), 201)
  assert.equal(late.priority, 'P2')
  numbers.late = late.number

  ;({ context, page, idle } = await openPage(base, 'sla-queue-agent', errors, 'agent'))
  const c = await syncBrowserClock()
  assert.equal(c.offset_ms, 0)
})

after(() => shutdown(server, [context]))

afterEach(() => assertNoPageErrors(errors))

describe('SLA queue, dashboard and timeline in Chromium, with the test clock', { concurrency: false }, () => {
  test('the ticket list has an SLA column; the at-risk queue is empty at first', async () => {
    await waitApiFlag(numbers.late, 'ok')
    await login(page, AGENT.username, AGENT.password, pastLogin)
    await page.goto('/tickets?view=all')
    const flag = rowOf('ticket-row', numbers.late).locator(tid('sla-flag'))
    await flag.waitFor()
    assert.equal(await flag.getAttribute('data-key'), 'ok')
    assert.equal(await flag.getAttribute('data-kind'), 'due')
    assert.equal((await flag.locator(tid('sla-flag-tag')).innerText()).trim(), 'On track')
    // The response (30 min) is due first.
    assert.match(await flag.locator(tid('sla-due-text')).innerText(), /^due in (29|30) min$/)
    assert.match(await flag.getAttribute('title'), /^First response: due .*\nResolution: due /)

    // From the side navigation (agents have sla.read).
    await page.click(tid('nav-servicedesk-sla'))
    await page.waitForURL((u) => u.pathname === '/tickets/sla')
    await page.locator(tid('sla-queue-table')).waitFor()
    await idle()
    assert.equal(await page.locator(queueRow(numbers.late)).count(), 0)
    assert.match(await page.locator(tid('sla-queue-table')).innerText(), /No open ticket is at risk or breached/)
  })

  test('25 minutes later the response reached 75 %: the ticket is marked at risk and queued', async () => {
    await advance(25)
    const row = await waitQueueFlag(numbers.late, 'at_risk')
    assert.equal(await row.count(), 1)
    assert.equal(await cellText(numbers.late, 'sla-flag-tag'), 'At risk')
    // Amber, solid.
    assert.equal(await rowOf('sla-queue-row', numbers.late).locator(`${tid('sla-flag-tag')}.el-tag--warning.el-tag--dark`).count(), 1)
    assert.match(await cellText(numbers.late, 'sla-due-text'), /^due in [45] min$/)
    const metrics = await rowOf('sla-queue-row', numbers.late).locator(tid('sla-queue-metric')).allInnerTexts()
    assert.equal(metrics.length, 2)
    assert.match(metrics[0], /^First response: due /)
    assert.match(metrics[1], /^Resolution: due /)
    assert.match(await page.locator(tid('sla-queue-updated')).innerText(), /^Updated \d{2}:\d{2}/)
    await screenshot(page, 'sla-queue-at-risk-en', idle)
  })

  test('9 hours on both targets are breached: the queue shows it overdue; a ticket worked in time is not there', async () => {
    // The on-time one: started (responded) and resolved within its targets.
    const ontime = ok(await api.agent.request('POST', '/api/v1/tickets', {
      kind: 'incident', title: '共享盘无法访问 Shared drive unreachable', description: '财务部共享盘报错。',
      impact: 1, urgency: 2, requester_id: ids.requester, assignee_team_id: ids.sd, assignee_id: ids.agent,
    }), 201)
    numbers.ontime = ontime.number
    let t = await apiTicket(numbers.ontime)
    ok(await api.agent.request('POST', `/api/v1/tickets/${numbers.ontime}/transitions`, { to: 'in_progress', version: t.version }))
    t = await apiTicket(numbers.ontime)
    const resolved = ok(await api.agent.request('POST', `/api/v1/tickets/${numbers.ontime}/transitions`, {
      to: 'resolved', resolution_code: 'fixed', resolution_notes: '重新映射了共享盘。', version: t.version,
    }))
    assert.equal(resolved.status, 'resolved')
    // Both its targets are decided (met) before the clock moves on.
    const until = Date.now() + 10000
    for (;;) {
      const s = (await apiTicket(numbers.ontime)).sla
      if (s?.response?.state === 'met' && s?.resolution?.state === 'met') break
      if (Date.now() > until) throw new Error(`on-time ticket not met: ${JSON.stringify(s)}`)
      await new Promise((r) => setTimeout(r, 250))
    }

    await advance(9 * 60)
    await page.click(tid('sla-queue-flag-breached'))
    await page.waitForURL((u) => u.searchParams.get('flag') === 'breached')
    await waitQueueFlag(numbers.late, 'breached')
    assert.equal(await cellText(numbers.late, 'sla-flag-tag'), 'Breached')
    assert.equal(await rowOf('sla-queue-row', numbers.late).locator(`${tid('sla-flag-tag')}.el-tag--danger.el-tag--dark`).count(), 1)
    // Overdue since the earliest due time, the response's at 30 min: 8 h 55 min ago.
    assert.match(await cellText(numbers.late, 'sla-due-text'), /^overdue 8 h 5\d min$/)
    const metrics = await rowOf('sla-queue-row', numbers.late).locator(tid('sla-queue-metric')).allInnerTexts()
    assert.match(metrics[0], /^First response: breached /)
    assert.match(metrics[1], /^Resolution: breached /)
    assert.equal(await page.locator(queueRow(numbers.ontime)).count(), 0)
    // "At risk" alone no longer lists it; both together do.
    await page.click(tid('sla-queue-flag-at_risk'))
    await page.waitForURL((u) => u.searchParams.get('flag') === 'at_risk')
    await idle()
    assert.equal(await page.locator(queueRow(numbers.late)).count(), 0)
    await page.click(tid('sla-queue-flag-attention'))
    await page.locator(`${queueRow(numbers.late)}[data-flag="breached"]`).waitFor()
    await screenshot(page, 'sla-queue-breached-en', idle)
  })

  test('the queue in Chinese', async () => {
    await switchLanguage(page, 'zh-CN', idle)
    assert.equal((await page.locator('h1').first().innerText()).trim(), '临近违约 / 已违约')
    assert.equal(await cellText(numbers.late, 'sla-flag-tag'), '已违约')
    assert.match(await cellText(numbers.late, 'sla-due-text'), /^已超时 8 小时 5\d 分$/)
    const metrics = await rowOf('sla-queue-row', numbers.late).locator(tid('sla-queue-metric')).allInnerTexts()
    assert.match(metrics[0], /^首次响应：违约于 /)
    assert.match(metrics[1], /^解决：违约于 /)
    assert.equal((await page.locator(`${tid('sla-queue-flag-breached')}`).innerText()).trim(), '已违约')
    await screenshot(page, 'sla-queue-zh-CN', idle)
  })

  test('the dashboard shows the compliance per priority, and a bar opens its tickets', async () => {
    await page.goto('/')
    const summary = page.locator(tid('home-sla-summary'))
    await summary.waitFor()
    // Still in Chinese: P2 had one ticket on time and one late, for both targets.
    assert.equal(await summary.innerText(), '首次响应：达成率 50%（共 2 个，达成 1 个，违约 1 个） · 解决：达成率 50%（共 2 个，达成 1 个，违约 1 个）')
    await switchLanguage(page, 'en', idle)
    await summary.waitFor()
    assert.equal(await summary.innerText(), 'First response: 50% met (1 of 2, 1 breached) · Resolution: 50% met (1 of 2, 1 breached)')
    const groups = await page.locator(tid('sla-chart-group')).evaluateAll((els) => els.map((e) => e.dataset.key))
    assert.deepEqual(groups, ['P2'])
    for (const m of ['response', 'resolution']) {
      const bar = page.locator(`${tid('sla-chart-bar')}[data-key="P2-${m}"]`)
      assert.equal(await bar.getAttribute('data-compliance'), '50')
      assert.equal(await bar.locator(tid('sla-chart-percent')).innerText(), '50%')
    }
    // The table with the numbers (the chart's accessible twin).
    const p2 = page.locator(`${tid('sla-table-row')}[data-key="P2"]`)
    const cell = (k) => p2.locator(`${tid('sla-cell')}[data-key="${k}"]`).innerText()
    assert.deepEqual(
      [await cell('response-met'), await cell('response-breached'), await cell('response-compliance'), await cell('resolution-met'), await cell('resolution-breached'), await cell('resolution-compliance')],
      ['1', '1', '50%', '1', '1', '50%'],
    )
    await page.locator(tid('home-sla')).scrollIntoViewIfNeeded()
    await screenshot(page, 'home-sla-en', idle)

    // The red part of P2's resolution bar: the ticket list of the resolution breaches.
    await page.click(`${tid('sla-chart-bar')}[data-key="P2-resolution"] [data-part="breached"]`)
    await page.waitForURL((u) => u.pathname === '/tickets' && u.searchParams.get('sla_outcome') === 'breached')
    const url = new URL(page.url())
    assert.equal(url.searchParams.get('view'), 'all')
    assert.equal(url.searchParams.get('sla_metric'), 'resolution')
    assert.equal(url.searchParams.get('priority'), 'P2')
    await rowOf('ticket-row', numbers.late).waitFor()
    await idle()
    assert.equal(await page.locator(`${tid('ticket-row')}[data-key="${numbers.ontime}"]`).count(), 0)
    assert.match(await page.locator(tid('queue-sla-report-text')).innerText(), /^From the SLA report: Resolution target breached, between .* and .*/)
    await screenshot(page, 'sla-report-list-en', idle)
    // "Show all tickets" drops the report's filters.
    await page.click(tid('queue-sla-report-clear'))
    await rowOf('ticket-row', numbers.ontime).waitFor()
    assert.equal(await page.locator(tid('queue-sla-report')).count(), 0)
  })

  test('the SLA report page groups by team', async () => {
    await page.click(tid('nav-reports-sla'))
    await page.waitForURL((u) => u.pathname === '/reports/sla')
    await page.locator(tid('sla-report-summary')).waitFor()
    const totals = await page.locator(tid('sla-report-total-percent')).allInnerTexts()
    assert.deepEqual(totals, ['50%', '50%'])
    await page.click(tid('sla-report-group-team'))
    await page.waitForURL((u) => u.searchParams.get('group_by') === 'team')
    const row = page.locator(`${tid('sla-table-row')}[data-key="${ids.sd}"]`)
    await row.waitFor()
    assert.equal(await row.locator(tid('sla-table-group')).innerText(), 'Service Desk')
    assert.equal(await row.locator(`${tid('sla-cell')}[data-key="response-breached"]`).innerText(), '1')
    await screenshot(page, 'sla-report-en', idle)
  })

  test('the timeline shows the threshold firings by the system', async () => {
    await page.goto(`/tickets/${numbers.late}`)
    await page.locator(tid('timeline')).waitFor()
    const entries = page.locator(`${tid('timeline-entry')}[data-action="ticket.sla"]`)
    await entries.first().waitFor()
    const tags = await page.locator(tid('timeline-sla')).evaluateAll((els) => els.map((e) => `${e.dataset.metric}:${e.dataset.percent}:${e.dataset.breach}`))
    for (const k of ['response:50:false', 'response:75:false', 'response:100:true', 'resolution:50:false', 'resolution:75:false', 'resolution:100:true']) {
      assert.ok(tags.includes(k), `${k} in ${tags.join(', ')}`)
    }
    const breach = page.locator(`${tid('timeline-entry')}:has(${tid('timeline-sla')}[data-metric="resolution"][data-breach="true"])`)
    assert.equal(await breach.locator('.who').innerText(), 'System')
    assert.equal(await breach.locator(tid('timeline-sla')).innerText(), 'Breach')
    let lines = await breach.locator(tid('timeline-line')).allInnerTexts()
    assert.equal(lines[0], 'Resolution: target breached')
    assert.ok(lines.includes(`Notified the team lead: ${AGENT.display}`), lines.join(' | '))
    const risk = page.locator(`${tid('timeline-entry')}:has(${tid('timeline-sla')}[data-metric="response"][data-percent="75"])`)
    lines = await risk.locator(tid('timeline-line')).allInnerTexts()
    assert.equal(lines[0], 'First response: 75% of the target used')
    assert.ok(lines.includes('Marked at risk'), lines.join(' | '))
    assert.ok(lines.includes(`Notified the assignee: ${AGENT.display}`), lines.join(' | '))
    await breach.scrollIntoViewIfNeeded()
    await screenshot(page, 'ticket-sla-timeline-en', idle)

    await switchLanguage(page, 'zh-CN', idle)
    assert.equal(await breach.locator('.who').innerText(), '系统')
    lines = await breach.locator(tid('timeline-line')).allInnerTexts()
    assert.equal(lines[0], '解决：已违约')
    assert.ok(lines.includes(`已通知团队负责人：${AGENT.display}`), lines.join(' | '))
    await breach.scrollIntoViewIfNeeded()
    await screenshot(page, 'ticket-sla-timeline-zh-CN', idle)
    await switchLanguage(page, 'en', idle)
  })
})

// Browser test of the SLA panel of the agent ticket page (web/src/modules/tickets/SlaPanel.vue,
// issue #5): an agent records a P1 incident and watches its clocks — response and resolution
// running on the 24×7 calendar, response met once work starts, the resolution countdown
// paused while the ticket waits for the requester and running again afterwards, the why-table
// of the intervals, the panel in Chinese —; a requester sees no SLA panel and asks for no SLA.
// The real binary, Debian's Chromium via playwright-core, `node --test`; the steps share one
// server and run in order. Screenshots in en and zh-CN go to $YUNWEI_SCREENSHOTS.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  adminApi, assertNoPageErrors, createUsers, ErrorCollector, launch, login, openPage, pastLogin, pickOption, pickUser, screenshot, setTeamMembers, shutdown,
  startServer, switchLanguage, tid, userApi,
} from './support.mjs'

const ADMIN_PASSWORD = 'Admin-e2e-sla-1'
const AGENT = { username: 'liqiang', display: '李强 Li Qiang', password: 'Agent-sla-pass-1' }
const REQUESTER = { username: 'chenjing', display: '陈静', password: 'Requester-sla-1' }

const metricRow = (key) => `${tid('sla-metric')}[data-key="${key}"]`

let server
let base
const errors = new ErrorCollector()
let context
let page
let idle
const api = {}
const ids = {}
let number = ''

/** Waits until the metric's row shows the clock state. */
async function waitState(key, state) {
  await page.locator(`${metricRow(key)}[data-state="${state}"]`).waitFor()
}

async function rowText(key, part) {
  return (await page.locator(`${metricRow(key)} ${tid(part)}`).innerText()).trim()
}

async function apiSla() {
  const r = await api.agent.request('GET', `/api/v1/tickets/${number}/sla`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return Object.fromEntries(r.body.metrics.map((m) => [m.metric, m]))
}

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  Object.assign(ids, await createUsers(api.admin, [
    ['agent', AGENT, ['agent'], 'en'],
    ['requester', REQUESTER, ['requester'], 'zh-CN'],
  ]))
  await setTeamMembers(api.admin, { 'Service Desk': { member_ids: [ids.agent], lead_id: ids.agent } })
  api.agent = await userApi(base, AGENT.username, AGENT.password)

  ;({ context, page, idle } = await openPage(base, 'sla-agent', errors, 'agent'))
})

after(() => shutdown(server, [context]))

afterEach(() => assertNoPageErrors(errors))

describe('SLA countdown on the ticket page in Chromium', { concurrency: false }, () => {
  test('a new P1 incident shows response and resolution running on the 24×7 calendar', async () => {
    await login(page, AGENT.username, AGENT.password, pastLogin)
    await page.goto('/tickets/new')
    await page.locator(tid('new-ticket-form')).waitFor()
    await page.fill(tid('new-title'), '核心数据库不可用 Core database down')
    await page.fill(tid('new-description'), '所有业务系统无法连接数据库。')
    await pickUser(page, 'new-requester', REQUESTER.username, ids.requester)
    await pickOption(page, 'new-impact', 'new-impact-option', '1')
    await pickOption(page, 'new-urgency', 'new-urgency-option', '1')
    assert.match(await page.locator(tid('new-priority-value')).innerText(), /^P1/)
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST')
    await page.click(tid('new-submit'))
    const res = await created
    assert.equal(res.status(), 201)
    const body = await res.json()
    number = body.number
    assert.equal(body.priority, 'P1')
    await page.waitForURL((u) => u.pathname === `/tickets/${number}`)

    const panel = page.locator(tid('sla-panel'))
    await panel.waitFor()
    await waitState('response', 'running')
    await waitState('resolution', 'running')
    assert.deepEqual(await page.locator(tid('sla-metric')).evaluateAll((els) => els.map((e) => e.dataset.key)), ['response', 'resolution'])
    assert.match(await page.locator(tid('sla-policy')).innerText(), /P1[\s\S]*·\s*24×7/)
    assert.equal(await rowText('response', 'sla-metric-label'), 'First response')
    assert.equal(await rowText('resolution', 'sla-metric-label'), 'Resolution')
    assert.equal(await rowText('response', 'sla-state'), 'Running')
    // 15 and 240 business minutes on a 24×7 calendar: the time left is the target less what passed.
    assert.match(await rowText('response', 'sla-time'), /^1[45] min left$/)
    assert.match(await rowText('resolution', 'sla-time'), /^(4 h|3 h 59 min) left$/)
    // The due time in the user's zone, with the calendar.
    const sla = await apiSla()
    for (const key of ['response', 'resolution']) {
      const due = await rowText(key, 'sla-due')
      assert.match(due, /^Due \d{2}\/\d{2}\/\d{4}, \d{2}:\d{2} · 24×7$/, due)
      assert.equal(await page.locator(`${metricRow(key)} ${tid('sla-due')}`).getAttribute('title'), sla[key].due_local)
      // The 50/75/100 % thresholds are on the bar.
      assert.deepEqual(await page.locator(`${metricRow(key)} ${tid('sla-threshold')}`).evaluateAll((els) => els.map((e) => e.dataset.key)), ['50', '75', '100'])
    }
    const dueShown = await rowText('resolution', 'sla-due')
    const expected = new Intl.DateTimeFormat('en', {
      timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    }).format(new Date(sla.resolution.due))
    assert.ok(dueShown.includes(expected), `${dueShown} vs ${expected}`)
    await screenshot(page, 'ticket-sla-running-en')
  })

  test('starting work meets the response target; the resolution clock keeps running', async () => {
    // From "new" the dialog asks for the team (the Service Desk, filled in).
    await page.click(tid('transition-in_progress'))
    const dialog = page.locator(`${tid('transition-dialog')}:visible`)
    await dialog.waitFor()
    await page.click(tid('transition-submit'))
    await dialog.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.dataset.key === 'in_progress')
    await waitState('response', 'met')
    assert.equal(await rowText('response', 'sla-state'), 'Met')
    assert.match(await rowText('response', 'sla-time'), /^Met in \d+ min$/)
    assert.match(await rowText('response', 'sla-due'), /^Stopped .* · 24×7$/)
    assert.equal(await page.locator(metricRow('response')).getAttribute('data-tone'), 'met')
    assert.equal(await page.locator(`${metricRow('resolution')}`).getAttribute('data-state'), 'running')
    assert.equal((await apiSla()).response.state, 'met')
    // Why: counted from creation, then stopped by the response.
    await page.click(`${metricRow('response')} ${tid('sla-why-toggle')}`)
    const kinds = await page.locator(`${metricRow('response')} ${tid('sla-interval')}`).evaluateAll((els) => els.map((e) => e.dataset.kind))
    assert.equal(kinds[0], 'counted')
    assert.equal(kinds.at(-1), 'stopped')
    assert.equal(await page.locator(`${metricRow('response')} ${tid('sla-interval-clock')}`).last().innerText(), 'Stopped: responded')
    await page.click(`${metricRow('response')} ${tid('sla-why-toggle')}`)
    await page.locator(`${metricRow('response')} ${tid('sla-why')}`).waitFor({ state: 'detached' })
  })

  test('the resolution countdown pauses while the ticket waits for the requester, and runs again afterwards', async () => {
    await page.click(tid('transition-pending'))
    const dialog = page.locator(`${tid('transition-dialog')}:visible`)
    await dialog.waitFor()
    await pickOption(page, 'tr-pending-reason', 'pending-option', 'awaiting_requester')
    await page.click(tid('transition-submit'))
    await dialog.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.dataset.key === 'pending')

    // Paused: its own tag, no due time, the time left frozen; the response stays met.
    await waitState('resolution', 'paused')
    const resolution = page.locator(metricRow('resolution'))
    assert.equal(await rowText('resolution', 'sla-state'), 'Paused')
    assert.equal(await resolution.locator(`${tid('sla-state')}.el-tag--dark.el-tag--info`).count(), 1)
    assert.match(await rowText('resolution', 'sla-time'), /^(4 h|3 h \d+ min) left$/)
    assert.match(await rowText('resolution', 'sla-due'), /^Clock paused: no due time while it stands still · 24×7$/)
    assert.equal(await page.locator(metricRow('response')).getAttribute('data-state'), 'met')
    const sla = await apiSla()
    assert.equal(sla.resolution.state, 'paused')
    assert.equal(sla.resolution.running, false)
    assert.equal(sla.resolution.due, null)

    // Why: the last interval is the pause, with the reason translated.
    await resolution.locator(tid('sla-why-toggle')).click()
    const last = resolution.locator(tid('sla-interval')).last()
    await last.waitFor()
    assert.equal(await last.getAttribute('data-kind'), 'paused')
    assert.equal(await last.getAttribute('data-reason'), 'pending:awaiting_requester')
    assert.equal(await last.locator(tid('sla-interval-clock')).innerText(), 'Paused: pending (Awaiting requester)')
    assert.equal(await resolution.locator(`${tid('sla-interval')}[data-kind="counted"]`).count() >= 1, true)
    await screenshot(page, 'ticket-sla-paused-en')

    // Back to work: running again, with a due time.
    await page.click(tid('transition-in_progress'))
    await page.waitForFunction(() => document.querySelector('[data-test="ticket-status"]')?.dataset.key === 'in_progress')
    await waitState('resolution', 'running')
    assert.equal(await rowText('resolution', 'sla-state'), 'Running')
    assert.match(await rowText('resolution', 'sla-due'), /^Due .* · 24×7$/)
    assert.match(await rowText('resolution', 'sla-time'), /^(4 h|3 h \d+ min) left$/)
    const again = await apiSla()
    assert.equal(again.resolution.state, 'running')
    assert.ok(again.resolution.intervals.some((iv) => iv.reason === 'pending:awaiting_requester' && !iv.counted))
  })

  test('the panel in Chinese', async () => {
    await switchLanguage(page, 'zh-CN', idle)
    await page.locator(`${metricRow('resolution')}[data-state="running"]`).waitFor()
    assert.equal(await page.locator(`${tid('sla-panel')} h3`).innerText(), 'SLA')
    assert.equal(await rowText('response', 'sla-metric-label'), '首次响应')
    assert.equal(await rowText('resolution', 'sla-metric-label'), '解决')
    assert.equal(await rowText('response', 'sla-state'), '已达成')
    assert.equal(await rowText('resolution', 'sla-state'), '计时中')
    assert.match(await rowText('resolution', 'sla-time'), /^还剩 (4 小时|3 小时 \d+ 分)$/)
    assert.match(await rowText('resolution', 'sla-due'), /^到期 .* · 24×7$/)
    // The why-table opened before stays open across refreshes.
    await page.locator(`${metricRow('resolution')} ${tid('sla-why')}`).waitFor()
    const paused = page.locator(`${metricRow('resolution')} ${tid('sla-interval')}[data-kind="paused"] ${tid('sla-interval-clock')}`)
    assert.equal(await paused.first().innerText(), '暂停：挂起（等待申请人）')
    await page.locator(tid('sla-panel')).scrollIntoViewIfNeeded()
    await screenshot(page, 'ticket-sla-zh-CN')
    await switchLanguage(page, 'en', idle)
  })

  test('a requester sees no SLA panel and asks for no SLA; the API refuses them', async () => {
    const rc = await launch(base, 'sla-requester')
    errors.watch(rc, 'requester')
    try {
      const rp = rc.pages()[0] ?? (await rc.newPage())
      const slaRequests = []
      rp.on('request', (r) => {
        if (/\/sla(\?|$)/.test(new URL(r.url()).pathname)) slaRequests.push(r.url())
      })
      await login(rp, REQUESTER.username, REQUESTER.password, pastLogin)
      await rp.goto(`/portal/tickets/${number}`)
      await rp.locator(tid('ticket-title')).waitFor()
      assert.match(await rp.locator(tid('ticket-title')).innerText(), /Core database down/)
      assert.equal(await rp.locator(tid('sla-panel')).count(), 0)
      // The agent page is not theirs: sent back to the portal, still without an SLA panel.
      await rp.goto(`/tickets/${number}`)
      await rp.waitForURL((u) => u.pathname.startsWith('/portal'))
      await rp.waitForTimeout(300)
      assert.equal(await rp.locator(tid('sla-panel')).count(), 0)
      assert.deepEqual(slaRequests, [])
      const r = await userApi(base, REQUESTER.username, REQUESTER.password)
      assert.equal((await r.request('GET', `/api/v1/tickets/${number}/sla`)).status, 403)
    } finally {
      await rc.close().catch(() => {})
    }
  })
})

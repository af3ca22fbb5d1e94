// Browser test of the CMDB pages (web/src/modules/cmdb, issue #6): an agent imports a small CSV
// on the import page (the dry-run preview shows the counts and the rejected line with its
// number, then "Import" applies the rest), opens the imported server from the list, sees the
// business service it impacts on the Impact tab (with the path) and highlighted in the graph;
// the page in Chinese (labels from the schema, tabs, status); the history of an edited CI; the
// CI types page and a schema change whose dry run lists the CIs that would not fit (then
// cancelled); the ticket page's affected services when tickets carry a CI. The real binary,
// Debian's Chromium via playwright-core, `node --test`; the steps share one server and run in
// order. Screenshots in en and zh-CN go to $YUNWEI_SCREENSHOTS.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  adminApi, assertNoPageErrors, createUsers, ErrorCollector, login, ok, openPage, pastLogin, screenshot, shutdown, startServer, switchLanguage, tid, userApi,
} from './support.mjs'

const ADMIN_PASSWORD = 'Admin-e2e-cmdb-1'
const AGENT = { username: 'zhaolei', display: '赵磊 Zhao Lei', password: 'Agent-cmdb-pass-1' }

// Line 1 is the header; line 7 (a server with a bad IP) is rejected, the rest imports.
const CSV = [
  'type,name,status,environment,attributes.hostname,attributes.ip,attributes.os,relations.depends_on,relations.runs_on',
  'business_service,网上银行,in_use,prod,,,,application:ebank-app,',
  'application,ebank-app,in_use,prod,,,,database:db-ebank,server:sh-web-01',
  'database,db-ebank,in_use,prod,,10.10.1.31,,,server:sh-db-01',
  'server,sh-web-01,in_use,prod,sh-web-01,10.10.1.21,CentOS 7,,',
  'server,sh-db-01,in_use,prod,sh-db-01,10.10.1.31,Kylin V10,,',
  'server,sh-bad-01,in_use,prod,sh-bad-01,10.10.1.300,CentOS 7,,',
].join('\n') + '\n'

let server
let base
const errors = new ErrorCollector()
const contexts = []
let page
let idle
const api = {}
const ids = {}

const settle = () => idle()
const shot = (name) => screenshot(page, name, settle)
/** Scrolls the CI page's tabs to the top of the view (for screenshots of a tab). */
const showTabs = () => page.evaluate(() => document.querySelector('[data-test="ci-tabs"]')?.scrollIntoView())
/** Waits until the element's text matches (content that arrives with a later request). */
async function waitText(selector, re) {
  await page.waitForFunction(([sel, src, flags]) => new RegExp(src, flags).test(document.querySelector(sel)?.textContent ?? ''), [selector, re.source, re.flags])
}
const stat = async (key) => Number(await page.locator(tid(`import-stat-${key}`)).getAttribute('data-n'))

/** The CI with this name (API), or undefined. */
async function findCi(name) {
  const page1 = ok(await api.agent.request('GET', `/api/v1/cis?q=${encodeURIComponent(name)}&limit=50`))
  return page1.items.find((c) => c.name === name)
}

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  Object.assign(ids, await createUsers(api.admin, [['agent', AGENT, ['agent'], 'en']]))
  api.agent = await userApi(base, AGENT.username, AGENT.password)
  const opened = await openPage(base, 'cmdb-agent', errors, 'agent')
  contexts.push(opened.context)
  ;({ page, idle } = opened)
})

after(() => shutdown(server, contexts))

afterEach(() => assertNoPageErrors(errors))

describe('CMDB in Chromium', { concurrency: false }, () => {
  test('the import page previews a CSV (counts, the rejected line), then imports it', async () => {
    await login(page, AGENT.username, AGENT.password, pastLogin)
    await page.click(tid('nav-cmdb-ci-import'))
    await page.waitForURL((u) => u.pathname === '/cmdb/import')
    await page.locator(tid('import-help')).waitFor()
    // The help block's template follows the chosen type's schema.
    await waitText(tid('import-template'), /^type,name,status,environment,owner_team,attributes\.hostname,attributes\.ip/)

    await page.fill(tid('import-text'), CSV)
    assert.equal(await page.locator(tid('import-apply')).isDisabled(), true, 'import needs a preview first')
    await page.click(tid('import-preview'))
    const report = page.locator(tid('import-report'))
    await report.waitFor()
    assert.equal(await report.getAttribute('data-dry-run'), 'true')
    assert.equal(await stat('lines'), 6)
    assert.equal(await stat('created'), 5)
    assert.equal(await stat('rejected'), 1)
    assert.equal(await stat('relations_created'), 4)
    const rejected = page.locator(`${tid('rejected-row')}[data-key="7"]`)
    assert.equal((await rejected.innerText()).trim(), 'server:sh-bad-01')
    assert.match(await page.locator(tid('import-rejected')).innerText(), /IP address/)
    assert.equal(await findCi('sh-web-01'), undefined, 'a dry run changes nothing')
    await shot('cmdb-import-preview-en')

    await page.click(tid('import-apply'))
    await page.locator(`${tid('import-report')}[data-dry-run="false"]`).waitFor()
    await page.locator(tid('import-applied')).waitFor()
    assert.equal(await stat('created'), 5)
    const server1 = await findCi('sh-web-01')
    assert.ok(server1, 'sh-web-01 imported')
    ids.server = server1.id
    assert.equal(await findCi('sh-bad-01'), undefined)
    await page.locator(`${tid('import-link')}[data-key="server"]`).waitFor()
    await shot('cmdb-import-done-en')
  })

  test('the list shows the servers with their attribute columns; a server opens', async () => {
    await page.click(`${tid('import-link')}[data-key="server"]`)
    await page.waitForURL((u) => u.pathname === '/cmdb' && u.searchParams.get('type') === 'server')
    const row = page.locator(`${tid('ci-row')}[data-key="sh-web-01"]`)
    await row.waitFor()
    assert.equal(await page.locator(tid('ci-row')).count(), 2)
    const tr = page.locator(`tr:has(${tid('ci-row')}[data-key="sh-web-01"])`)
    assert.equal((await tr.locator(tid('ci-cell-ip')).innerText()).trim(), '10.10.1.21')
    // Full-text search by IP, kept in the URL.
    await page.fill(tid('cmdb-q'), '10.10.1.31')
    await page.waitForURL((u) => u.searchParams.get('q') === '10.10.1.31')
    await page.locator(`${tid('ci-row')}[data-key="sh-web-01"]`).waitFor({ state: 'detached' })
    assert.deepEqual(await page.locator(tid('ci-row')).evaluateAll((els) => els.map((e) => e.dataset.key)), ['sh-db-01'])
    // The export link carries the filters.
    const href = await page.locator(tid('cmdb-export-csv')).getAttribute('href')
    assert.equal(href, '/api/v1/cis/export?format=csv&type=server&q=10.10.1.31')
    await page.fill(tid('cmdb-q'), '')
    await row.waitFor()
    await shot('cmdb-list-en')

    await row.click()
    await page.waitForURL((u) => u.pathname === `/cmdb/cis/${ids.server}`)
    assert.equal((await page.locator(tid('ci-name')).innerText()).trim(), 'sh-web-01')
    assert.equal(await page.locator(tid('ci-status')).getAttribute('data-key'), 'in_use')
    assert.match(await page.locator(tid('ci-attr-hostname')).innerText(), /Hostname\s+sh-web-01/)
    await page.locator(`${tid('relation-row')}[data-key="runs_on:in:ebank-app"]`).waitFor()
    assert.match(await page.locator(`${tid('relation-row')}[data-key="runs_on:in:ebank-app"]`).innerText(), /runs$/)
  })

  test('the Impact tab lists the business service and the path to it', async () => {
    await page.click(tid('ci-tab-impact'))
    await page.waitForURL((u) => u.searchParams.get('tab') === 'impact')
    const svc = page.locator(`${tid('impact-service')}[data-key="网上银行"]`)
    await svc.waitFor()
    assert.equal((await svc.locator(tid('impact-service-path')).innerText()).trim(), 'sh-web-01 → ebank-app → 网上银行')
    assert.deepEqual((await page.locator(tid('impact-row')).evaluateAll((els) => els.map((e) => e.dataset.key))).sort(), ['ebank-app', '网上银行'])
    await showTabs()
    await shot('cmdb-impact-en')
  })

  test('the graph expands from the server and highlights the impact path', async () => {
    await page.click(tid('ci-tab-graph'))
    const graph = page.locator(tid('ci-graph'))
    await graph.waitFor()
    // The server and its neighbour ebank-app (runs on it).
    await page.waitForFunction(() => Number(document.querySelector('[data-test="ci-graph"]')?.getAttribute('data-nodes')) >= 2)
    await page.click(`${tid('graph-impact-toggle')}`)
    const path = page.locator(`${tid('graph-impact-path')}[data-key="网上银行"]`)
    await path.waitFor()
    assert.match(await path.innerText(), /sh-web-01 → ebank-app → 网上银行/)
    // The service on the path was added to the graph.
    await page.waitForFunction(() => Number(document.querySelector('[data-test="ci-graph"]')?.getAttribute('data-nodes')) >= 3)
    const legend = await page.locator(tid('graph-legend-item')).evaluateAll((els) => els.map((e) => e.dataset.key))
    assert.ok(legend.includes('business_service') && legend.includes('server'), legend.join())
    // Expanding the application (from the node list beside the canvas) adds its database.
    const app = page.locator(`${tid('graph-node')}[data-key="ebank-app"]`)
    assert.equal(await app.getAttribute('data-expanded'), 'false')
    await app.click()
    await page.locator(`${tid('graph-node')}[data-key="db-ebank"]`).waitFor()
    assert.equal(await app.getAttribute('data-expanded'), 'true')
    await page.locator(tid('graph-selected')).waitFor()
    await page.waitForTimeout(1200) // the force layout settles
    await showTabs()
    await shot('cmdb-graph-impact-en')
  })

  test('the CI page in Chinese: schema labels, tabs and status', async () => {
    await switchLanguage(page, 'zh-CN', settle)
    assert.match(await page.locator(tid('ci-attr-hostname')).innerText(), /主机名\s+sh-web-01/)
    assert.equal((await page.locator(tid('ci-tab-impact')).innerText()).trim(), '影响分析')
    assert.equal((await page.locator(tid('ci-status')).innerText()).trim(), '在用')
    assert.equal((await page.locator(tid('ci-type')).innerText()).trim(), '服务器')
    await page.waitForTimeout(1200)
    await showTabs()
    await shot('cmdb-graph-impact-zh')
    await page.click(tid('ci-tab-impact'))
    await page.locator(`${tid('impact-service')}[data-key="网上银行"]`).waitFor()
    assert.match(await page.locator(tid('ci-impact')).innerText(), /受影响的业务服务（1）/)
    await showTabs()
    await shot('cmdb-impact-zh')
  })

  test('an edit shows in the history, old → new', async () => {
    await page.click(tid('ci-edit'))
    const dialog = page.locator(tid('ci-dialog'))
    await dialog.waitFor()
    // A bad IP is refused in the browser under its field.
    await page.fill(tid('ci-form-attr-ip'), '10.10.1.999')
    await page.click(tid('ci-form-submit'))
    await page.locator(`${tid('ci-attr-ip')} .el-form-item__error`).waitFor()
    await page.fill(tid('ci-form-attr-ip'), '10.10.1.22')
    await page.fill(tid('ci-form-attr-os'), 'Kylin V10')
    await page.click(tid('ci-form-submit'))
    await dialog.waitFor({ state: 'hidden' })
    await page.click(tid('ci-tab-history'))
    const change = page.locator(`${tid('history-change')}[data-key="attributes.ip"]`).first()
    await change.waitFor()
    assert.match(await change.innerText(), /IP 地址:?\s*10\.10\.1\.21\s*→?\s*10\.10\.1\.22/)
    await showTabs()
    await shot('cmdb-history-zh')
    await switchLanguage(page, 'en', settle)
    assert.match(await change.innerText(), /IP address:?\s*10\.10\.1\.21\s*→?\s*10\.10\.1\.22/)
    await showTabs()
    await shot('cmdb-history-en')
  })

  test('the list in Chinese with the type chooser', async () => {
    await switchLanguage(page, 'zh-CN', settle)
    await page.goto('/cmdb?type=server')
    await page.locator(`${tid('ci-row')}[data-key="sh-web-01"]`).waitFor()
    await waitText(`${tid('cmdb-type')}[data-key="server"]`, /服务器\s*2/)
    await shot('cmdb-list-zh')
    await switchLanguage(page, 'en', settle)
  })

  test('an admin sees the schema; a change the CIs do not fit lists them before saving', async () => {
    const opened = await openPage(base, 'cmdb-admin', errors, 'admin')
    contexts.push(opened.context)
    const p = opened.page
    await login(p, 'admin', ADMIN_PASSWORD, pastLogin)
    await switchLanguage(p, 'en', () => opened.idle(), { skipIfCurrent: true })
    await p.click(tid('nav-admin-cmdb-types'))
    await screenshot(p, 'cmdb-types-en', () => opened.idle())
    await p.locator(`${tid('type-row')}[data-key="server"]`).click()
    await p.locator(`${tid('attr-row')}[data-key="hostname"]`).waitFor()
    // A new required attribute: none of the servers has a value for it.
    await p.click(tid('attr-add'))
    const last = p.locator(tid('attr-row')).last()
    await last.locator(tid('attr-key')).fill('rack_unit')
    await last.locator(tid('attr-name')).fill('Rack unit')
    await last.locator(tid('attr-name-zh')).fill('机架位')
    await last.locator(`${tid('attr-required')}`).click()
    await p.click(tid('type-save'))
    const dialog = p.locator(tid('misfits-dialog'))
    await dialog.waitFor()
    const names = await p.locator(tid('misfit-ci')).evaluateAll((els) => els.map((e) => e.dataset.key).sort())
    assert.deepEqual(names, ['sh-db-01', 'sh-web-01'])
    await screenshot(p, 'cmdb-schema-misfits-en', () => opened.idle())
    await p.click(tid('misfits-cancel'))
    await dialog.waitFor({ state: 'hidden' })
    const server1 = ok(await api.admin.request('GET', '/api/v1/ci-types/server'))
    assert.equal(server1.attributes.some((a) => a.key === 'rack_unit'), false, 'cancel changed nothing')
    await switchLanguage(p, 'zh-CN', () => opened.idle())
    await screenshot(p, 'cmdb-schema-zh', () => opened.idle())
  })

  test('the ticket page shows the affected business services of its CI; the queue lists the tickets affecting a service', async () => {
    const created = ok(await api.agent.request('POST', '/api/v1/tickets', { kind: 'incident', title: 'sh-web-01 宕机 down', impact: 2, urgency: 2, ci_id: ids.server }), 201)
    const other = ok(await api.agent.request('POST', '/api/v1/tickets', { kind: 'incident', title: '打印机卡纸 paper jam', impact: 3, urgency: 3 }), 201)
    await page.goto(`/tickets/${created.number}`)
    const panel = page.locator(tid('ticket-cmdb-panel'))
    await panel.waitFor()
    assert.equal((await panel.locator(tid('ticket-ci')).innerText()).trim().startsWith('sh-web-01'), true)
    await panel.locator(`${tid('affected-service')}[data-key="网上银行"]`).waitFor()
    await panel.scrollIntoViewIfNeeded()
    await shot('cmdb-ticket-affected-en')

    // The queue's "affected service" filter: the incident on the server, not the printer.
    await page.goto('/tickets?view=all')
    await page.locator(`${tid('ticket-row')}[data-key="${other.number}"]`).waitFor()
    await page.click(`${tid('queue-affects')} .el-select__wrapper`)
    await page.keyboard.type('网上银行')
    await page.locator(`${tid('ci-option')}[data-key="网上银行"]:visible`).click()
    await page.waitForURL((u) => u.searchParams.has('affects'))
    await page.locator(`${tid('ticket-row')}[data-key="${created.number}"]`).waitFor()
    await page.locator(`${tid('ticket-row')}[data-key="${other.number}"]`).waitFor({ state: 'detached' })
    await shot('cmdb-queue-affects')
  })
})

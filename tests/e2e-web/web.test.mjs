// Browser end-to-end tests of the web UI: the real yunwei binary, Debian's Chromium driven by
// playwright-core, run with `node --test`. The steps share one server and run in order.
//
//   YUNWEI_BINARY       the server (default /work/main/build/yunwei)
//   YUNWEI_SCREENSHOTS  where the screenshots go (default /work/main/build/screenshots)
//
// Any console error or page error in any page fails the test, except the failed API requests
// a step provokes on purpose (wrong passwords, a taken username, a deleted session).
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import {
  Api,
  assertNoPageErrors,
  ErrorCollector,
  kb,
  openPage,
  screenshot,
  scriptAndStyleResources,
  shutdown,
  startServer,
  statusWithToken,
  submitLogin,
  switchLanguage,
  tid,
  trackRequests,
} from './support.mjs'

const BUDGET = 250 * 1024
const ADMIN_PASSWORD = 'Admin-e2e-web-1'
const AGENT = { username: 'lilei', display: '李雷 Li Lei', password: 'Agent-pass-1' }
const REQUESTER = { username: 'wangxm', display: '王小明', password: 'Requester-1' }
const THROWAWAY = { username: 'throttle.me', display: 'Throttle Me', password: 'Throwaway-1' }
const TEAM = { name: 'Network Ops', zh: '网络运维组', description: 'Routers, switches and firewalls' }

const row = (kind, key) => `tr:has([data-test="${kind}-row"][data-key="${key}"])`
/** A URL predicate: the login page, with the page to come back to. */
const loginFor = (redirect) => (u) => u.pathname === '/login' && u.searchParams.get('redirect') === redirect

let server
let base
const errors = new ErrorCollector()
/** Browser contexts and their main pages: admin, agent (lilei), requester (wangxm). */
const ctx = {}
const pages = {}
const idle = new Map()

async function openContext(name, viewport) {
  const opened = await openPage(base, name, errors, name, viewport)
  idle.set(opened.page, opened.idle)
  ctx[name] = opened.context
  pages[name] = opened.page
  return opened.page
}

const settle = (page) => idle.get(page)()
const shot = (page, name) => screenshot(page, name, () => settle(page))

async function navText(page, id) {
  return (await page.locator(tid(`nav-${id}`)).first().innerText()).trim()
}

async function scrollWidth(page) {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth))
}

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
})

after(() => shutdown(server, Object.values(ctx)))

afterEach(() => assertNoPageErrors(errors))

describe('web UI in Chromium', { concurrency: false }, () => {
  test('a fresh visit goes to the login page without any 401; language switch on the login page', async () => {
    const page = await openContext('admin')
    const probes = []
    page.on('response', (r) => {
      if (r.url().includes('/api/')) probes.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`)
    })
    await page.goto('/')
    await page.waitForURL((u) => u.pathname === '/login' && u.search === '')
    await settle(page)
    assert.deepEqual(probes, ['GET /api/v1/auth/session 200'])
    assert.equal(await page.locator(tid('login-submit')).innerText(), 'Log in')
    await shot(page, 'login-en')

    await switchLanguage(page, 'zh-CN', () => settle(page))
    assert.equal((await page.locator(tid('login-submit')).innerText()).replace(/\s/g, ''), '登录')
    await shot(page, 'login-zh-CN')
    // Switching the language re-checks no form: no "required" errors before submitting.
    assert.equal(await page.locator('.el-form-item__error').count(), 0, 'form errors before submitting')
    // Chosen before login: kept in localStorage, then saved to the profile at login.
    await page.reload()
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
    assert.equal((await page.locator(tid('login-submit')).innerText()).replace(/\s/g, ''), '登录')
    await switchLanguage(page, 'en', () => settle(page))
    assert.equal(await page.locator(tid('login-submit')).innerText(), 'Log in')
  })

  test('admin logs in through the form; the first screen stays within the budget', async () => {
    const page = pages.admin
    const clickedAt = await page.evaluate(() => performance.now())
    await submitLogin(page, 'admin', ADMIN_PASSWORD)
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator(tid('home-greeting')).waitFor()
    await settle(page)
    assert.equal(await navText(page, 'home'), 'Home', 'the language chosen on the login page wins')

    // Everything the browser fetched in this visit: the login page, then (after the click) home.
    const all = await scriptAndStyleResources(page)
    // Served gzipped (tiny files may stay plain when gzip would not make them smaller).
    const plain = all.filter((r) => r.encoded <= 0 || (r.encoded >= r.decoded && r.decoded > 1024))
    assert.deepEqual(plain, [], 'JS/CSS served gzipped')
    assert.ok(!all.some((r) => /TeamChart|echarts/i.test(r.name)), 'no ECharts before the Teams page')
    const total = all.reduce((s, r) => s + r.encoded, 0)
    const afterLogin = all.filter((r) => r.start >= clickedAt).reduce((s, r) => s + r.encoded, 0)
    console.log(`first screen: ${kb(afterLogin)} of JS/CSS gzipped fetched after the login click; ${kb(total)} in ${all.length} files for the whole visit (login page + home)`)

    // The first screen after login on its own: a fresh load of / with the session.
    const fresh = await ctx.admin.newPage()
    idle.set(fresh, trackRequests(fresh))
    const cdp = await ctx.admin.newCDPSession(fresh)
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
    await fresh.goto('/')
    await fresh.locator(tid('home-greeting')).waitFor()
    await settle(fresh)
    const home = await scriptAndStyleResources(fresh)
    const homeTotal = home.reduce((s, r) => s + r.encoded, 0)
    console.log(`first screen after login, cold load of / with the session: ${kb(homeTotal)} of JS/CSS gzipped in ${home.length} files (budget ${kb(BUDGET)})`)
    assert.ok(!home.some((r) => /TeamChart|echarts/i.test(r.name)), 'home loads no ECharts')
    assert.ok(homeTotal < BUDGET, `first screen after login ${kb(homeTotal)} >= ${kb(BUDGET)}`)
    assert.ok(total < BUDGET, `login page + first screen ${kb(total)} >= ${kb(BUDGET)}`)
    assert.ok(afterLogin < BUDGET, `after the login click ${kb(afterLogin)} >= ${kb(BUDGET)}`)
    await cdp.detach()
    await fresh.close()
  })

  test('switching to 中文 and back changes the navigation and persists across reloads', async () => {
    const page = pages.admin
    await switchLanguage(page, 'zh-CN', () => settle(page))
    assert.equal(await navText(page, 'home'), '首页')
    await page.reload()
    await page.locator(tid('home-greeting')).waitFor()
    await settle(page)
    assert.equal(await navText(page, 'home'), '首页', 'zh-CN persists after a reload')
    assert.match(await page.locator(tid('home-greeting')).innerText(), /好/)
    await shot(page, 'home-zh-CN')

    await page.click(tid('nav-admin-users'))
    await page.locator(tid('user-row')).first().waitFor()
    await shot(page, 'users-zh-CN')
    await page.click(tid('nav-admin-teams'))
    await page.locator(tid('team-row')).first().waitFor()
    await page.locator(`${tid('teams-chart')} canvas`).waitFor()
    await page.locator(tid('teams-chart-card')).scrollIntoViewIfNeeded()
    await shot(page, 'teams-zh-CN')
    await page.click(tid('user-menu-button'))
    await page.locator(`${tid('user-menu-profile')}:visible`).click()
    await page.waitForURL('**/profile')
    await shot(page, 'profile-zh-CN')

    await switchLanguage(page, 'en', () => settle(page))
    await page.reload()
    await page.locator(tid('profile-tabs')).waitFor()
    await settle(page)
    assert.equal(await navText(page, 'home'), 'Home', 'en persists after a reload')
    await shot(page, 'profile-en')
  })

  test('admin creates a user, a team led by that user, and sees a taken username on its field', async () => {
    const page = pages.admin
    await page.click(tid('nav-admin-users'))
    await page.waitForURL('**/admin/users')
    await page.click(tid('users-create'))
    const dialog = page.locator(`${tid('user-dialog')}:visible`)
    await dialog.waitFor()
    await page.fill(tid('user-form-username'), AGENT.username)
    await page.fill(tid('user-form-display-name'), AGENT.display)
    await page.fill(tid('user-form-email'), 'lilei@example.com')
    await page.fill(tid('user-form-password'), AGENT.password)
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST')
    await page.click(tid('user-form-submit'))
    const res = await created
    assert.equal(res.status(), 201)
    const agent = await res.json()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator(row('user', AGENT.username)).waitFor()

    // The same username again: the 409 names the field, shown under the username input.
    await page.click(tid('users-create'))
    await dialog.waitFor()
    await page.fill(tid('user-form-username'), AGENT.username)
    await page.fill(tid('user-form-display-name'), 'Someone else')
    const seen = await errors.expecting([409], async () => {
      await page.click(tid('user-form-submit'))
      const fieldError = page.locator(`.el-form-item:has(${tid('user-form-username')}) .el-form-item__error`)
      await fieldError.waitFor()
      assert.match(await fieldError.innerText(), /taken/i)
      // Only that field: the display name shows no error.
      assert.equal(await page.locator(`.el-form-item:has(${tid('user-form-display-name')}) .el-form-item__error`).count(), 0)
    })
    assert.equal(seen.length, 1, `one failed request logged: ${seen}`)
    await page.click(tid('user-form-cancel'))
    await dialog.waitFor({ state: 'hidden' })
    await shot(page, 'users-en')

    await page.click(tid('nav-admin-teams'))
    await page.waitForURL('**/admin/teams')
    await page.click(tid('teams-create'))
    const teamDialog = page.locator(`${tid('team-dialog')}:visible`)
    await teamDialog.waitFor()
    await page.fill(tid('team-form-name'), TEAM.name)
    await page.fill(tid('team-form-name-zh'), TEAM.zh)
    await page.fill(tid('team-form-description'), TEAM.description)
    await page.click(`${tid('team-form-lead')} .el-select__wrapper`)
    await page.keyboard.type(AGENT.username)
    await page.locator(`${tid('user-option')}[data-key="${agent.id}"]:visible`).click()
    await page.click(tid('team-form-submit'))
    await teamDialog.waitFor({ state: 'hidden' })
    const teamRow = page.locator(row('team', TEAM.name))
    await teamRow.waitFor()
    assert.match(await teamRow.innerText(), /Li Lei/)
    // The chart of members per team (ECharts, lazy) is on this page.
    await page.locator(`${tid('teams-chart')} canvas`).waitFor()
    await page.locator(tid('teams-chart-card')).scrollIntoViewIfNeeded()
    await shot(page, 'teams-en')
  })

  test('the new user logs in in a second context and uses an API token until it is revoked', async () => {
    const page = await openContext('agent')
    await page.goto('/')
    await page.waitForURL('**/login')
    await submitLogin(page, AGENT.username, AGENT.password)
    await page.waitForURL((u) => u.pathname === '/')
    await page.locator(tid('home-greeting')).waitFor()
    // The team this user leads, named in the UI language.
    await switchLanguage(page, 'zh-CN', () => settle(page))
    await page.locator(`${tid('home-my-teams')} >> text=${TEAM.zh}`).waitFor()
    await switchLanguage(page, 'en', () => settle(page))
    await page.locator(`${tid('home-my-teams')} >> text=${TEAM.name}`).waitFor()
    assert.match(await page.locator(tid('home-my-teams')).innerText(), /\b1 member(?!s)/, 'plural forms')
    await shot(page, 'home-en')

    await page.goto('/profile?tab=tokens')
    await page.locator(tid('token-create')).click()
    await page.fill(tid('token-form-name'), 'ci-runner')
    await page.click(tid('token-form-submit'))
    const secretBox = page.locator(tid('token-secret'))
    await secretBox.waitFor()
    const token = await secretBox.inputValue()
    assert.match(token, /^yw_/)
    assert.equal(await statusWithToken(base, token), 200, 'the token works')
    await page.click(tid('token-secret-close'))
    const tokenRow = page.locator(row('token', 'ci-runner'))
    await tokenRow.locator(tid('token-status-active')).waitFor()

    await tokenRow.locator(tid('token-revoke')).click()
    await page.locator(`${tid('confirm-ok')}:visible`).click()
    await tokenRow.locator(tid('token-status-revoked')).waitFor()
    assert.equal(await statusWithToken(base, token), 401, 'a revoked token no longer works')
  })

  test('a 401 on a deep link goes to /login and back after login', async () => {
    const page = pages.agent
    // Logged out in another tab: the session is gone, this tab does not know yet.
    const other = await ctx.agent.newPage()
    await other.goto('/')
    await other.locator(tid('home-greeting')).waitFor()
    await other.click(tid('user-menu-button'))
    await other.locator(`${tid('logout')}:visible`).click()
    await other.waitForURL('**/login')
    await other.close()

    const seen = await errors.expecting([401], async () => {
      await page.click(tid('nav-admin-users'))
      await page.waitForURL(loginFor('/admin/users'))
      await settle(page)
    })
    assert.ok(seen.length >= 1, 'the API answered 401')
    await submitLogin(page, AGENT.username, AGENT.password)
    await page.waitForURL((u) => u.pathname === '/admin/users')
    await page.locator(row('user', AGENT.username)).waitFor()

    // Cookie cleared, then a deep link opened afresh: no 401 at all (the session probe).
    await ctx.agent.clearCookies()
    await page.goto('/admin/teams?q=net')
    await page.waitForURL(loginFor('/admin/teams?q=net'))
    await submitLogin(page, AGENT.username, AGENT.password)
    await page.waitForURL((u) => u.pathname === '/admin/teams' && u.search === '?q=net')
    await page.locator(row('team', TEAM.name)).waitFor()
  })

  test('a requester sees the portal, usable at 390 px, in both languages', async () => {
    const admin = new Api(base)
    await admin.login('admin', ADMIN_PASSWORD)
    for (const u of [REQUESTER, THROWAWAY]) {
      const r = await admin.request('POST', '/api/v1/users', {
        username: u.username,
        display_name: u.display,
        roles: ['requester'],
        locale: 'en',
        password: u.password,
      })
      assert.equal(r.status, 201, JSON.stringify(r.body))
    }

    const page = await openContext('requester')
    await page.goto('/')
    await page.waitForURL('**/login')
    await submitLogin(page, REQUESTER.username, REQUESTER.password)
    await page.waitForURL('**/portal')
    await page.locator(tid('portal-greeting')).waitFor()
    assert.equal(await page.locator(tid('nav')).count(), 0, 'no workspace navigation')
    assert.ok((await page.locator('[data-test^="portal-tile-"]').count()) >= 2)
    // Staff pages send a requester back to the portal.
    await page.goto('/admin/users')
    await page.waitForURL('**/portal')
    await page.locator(tid('portal-greeting')).waitFor()
    await shot(page, 'portal-en')

    for (const locale of ['en', 'zh-CN']) {
      if (locale !== 'en') {
        await page.setViewportSize({ width: 1280, height: 800 })
        await switchLanguage(page, locale, () => settle(page))
        assert.match(await page.locator(tid('portal-greeting')).innerText(), /您好/)
        await shot(page, `portal-${locale}`)
      }
      await page.setViewportSize({ width: 390, height: 844 })
      await settle(page)
      assert.ok((await scrollWidth(page)) <= 390, `portal home at 390 px (${locale}): scrollWidth ${await scrollWidth(page)}`)
      await shot(page, `portal-390-${locale}`)
      await page.click(tid('portal-tile-profile'))
      await page.waitForURL('**/portal/profile')
      await page.locator(tid('profile-display-name')).waitFor()
      await settle(page)
      assert.ok((await scrollWidth(page)) <= 390, `portal profile at 390 px (${locale}): scrollWidth ${await scrollWidth(page)}`)
      await shot(page, `portal-profile-390-${locale}`)
      await page.click(tid('portal-home-link'))
      await page.waitForURL('**/portal')
    }
  })

  test('the login page shows the throttling message on 429', async () => {
    const page = pages.requester
    await page.setViewportSize({ width: 1280, height: 800 })
    await switchLanguage(page, 'en', () => settle(page))
    await page.click(tid('user-menu-button'))
    await page.locator(`${tid('logout')}:visible`).click()
    await page.waitForURL('**/login')

    const seen = await errors.expecting([401, 429], async () => {
      for (let i = 1; i <= 5; i++) {
        await submitLogin(page, THROWAWAY.username, `wrong-password-${i}`)
        await page.locator(`${tid('login-error')}, ${tid('login-throttled')}`).first().waitFor()
        await settle(page)
        if (await page.locator(tid('login-throttled')).count()) break
      }
      if (!(await page.locator(tid('login-throttled')).count())) {
        await submitLogin(page, THROWAWAY.username, THROWAWAY.password)
      }
      const throttled = page.locator(tid('login-throttled'))
      await throttled.waitFor()
      const text = await throttled.innerText()
      assert.match(text, /Too many failed attempts\. Try again in \d+ seconds/)
      assert.ok(Number(/(\d+) seconds/.exec(text)[1]) > 0)
      assert.ok(await page.locator(tid('login-submit')).isDisabled())
    })
    assert.ok(seen.some((s) => /status of 429/.test(s)), 'the server answered 429')
    // Another account may still log in from here.
    await submitLogin(page, REQUESTER.username, REQUESTER.password)
    await page.waitForURL('**/portal')
  })
})

// Helpers for the browser tests: the real yunwei binary on a free port, Debian's Chromium via
// playwright-core (persistent contexts in fresh temp dirs), a console/page-error collector, a
// small API client for node-side checks, the first-screen size measurement, and the page helpers
// the test files share (data-test selectors, login, language switch, screenshots, set-up/tear-down).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { chromium } from 'playwright-core'

export const BINARY = process.env.YUNWEI_BINARY || '/work/main/build/yunwei'
export const SCREENSHOTS = process.env.YUNWEI_SCREENSHOTS || '/work/main/build/screenshots'
export const CHROMIUM = process.env.YUNWEI_CHROMIUM || '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const tempDirs = []
export function tempDir(prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(d)
  return d
}
export function removeTempDirs() {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

/**
 * Starts `yunwei serve` on 127.0.0.1:0 with a fresh data dir and the given admin password;
 * resolves once it printed "listening on http://127.0.0.1:PORT". `serveArgs` are added to the
 * command line (e.g. ['--test-clock']).
 */
export async function startServer(adminPassword, { serveArgs = [] } = {}) {
  const dataDir = tempDir('yw-e2e-web-data-')
  const child = spawn(
    BINARY,
    ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--password-cost', 'minimum', ...serveArgs],
    { env: { ...process.env, YUNWEI_ADMIN_PASSWORD: adminPassword }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const log = []
  child.stderr.on('data', (b) => log.push(String(b)))
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`yunwei did not start in 15 s:\n${log.join('')}`)), 15000)
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      log.push(line + '\n')
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(line)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
    child.once('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`yunwei exited (${code ?? signal}) before listening:\n${log.join('')}`))
    })
  })
  return {
    url,
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 15000)
      const r = await exited
      clearTimeout(killer)
      return r
    },
  }
}

/**
 * Collects console errors and page errors of every page of the contexts it watches. An
 * expected error (a 401/409/429 the step provokes on purpose) is allowed inside `expecting()`.
 */
export class ErrorCollector {
  constructor() {
    this.unexpected = []
    this.allowed = []
    this.allow = null
  }

  watch(context, label) {
    const attach = (page) => {
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return
        const where = msg.location()?.url ?? ''
        const text = `[${label}] console error: ${msg.text()}${where ? ` (${where})` : ''}`
        if (this.allow && this.allow(msg.text(), where)) this.allowed.push(text)
        else this.unexpected.push(text)
      })
      page.on('pageerror', (err) => this.unexpected.push(`[${label}] page error: ${err.stack || err.message}`))
    }
    context.pages().forEach(attach)
    context.on('page', attach)
  }

  /** Runs fn allowing failed API requests with the given statuses; returns those seen. */
  async expecting(statuses, fn) {
    const re = new RegExp(`status of (${statuses.join('|')})\\b`)
    const before = this.allowed.length
    this.allow = (text, where) => re.test(text) && (where === '' || /\/api\/v1\//.test(where))
    try {
      await fn()
    } finally {
      this.allow = null
    }
    return this.allowed.slice(before)
  }

  /** Returns and forgets the unexpected errors so far. */
  take() {
    return this.unexpected.splice(0)
  }
}

export async function launch(baseURL, name, viewport = { width: 1280, height: 800 }) {
  const dir = tempDir(`yw-e2e-web-${name}-`)
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    baseURL,
    viewport,
    locale: 'en-US',
    timezoneId: 'Asia/Shanghai',
  })
  context.setDefaultTimeout(15000)
  context.setDefaultNavigationTimeout(20000)
  return context
}

/** Resolves once the page had no request in flight for `quietMs` (SPA-friendly network idle). */
export function trackRequests(page) {
  let inflight = 0
  let last = Date.now()
  const done = () => {
    inflight = Math.max(0, inflight - 1)
    last = Date.now()
  }
  page.on('request', () => {
    inflight++
    last = Date.now()
  })
  page.on('requestfinished', done)
  page.on('requestfailed', done)
  return async (quietMs = 500, timeoutMs = 15000) => {
    const until = Date.now() + timeoutMs
    while (Date.now() < until) {
      if (inflight === 0 && Date.now() - last >= quietMs) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`network not idle after ${timeoutMs} ms (${inflight} requests in flight)`)
  }
}

/** JS and CSS the page fetched (Resource Timing): name, start time, encoded (gzipped) bytes. */
export async function scriptAndStyleResources(page) {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => /\.(m?js|css)(\?|$)/.test(new URL(e.name).pathname))
      .map((e) => ({ name: new URL(e.name).pathname, start: e.startTime, encoded: e.encodedBodySize, decoded: e.decodedBodySize })),
  )
}

export function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true })
  return join(SCREENSHOTS, `${name}.png`)
}

/** A node-side client of the API: session login (cookie + CSRF) or a bearer token. */
export class Api {
  constructor(baseURL) {
    this.baseURL = baseURL
    this.cookie = ''
    this.csrf = ''
  }

  async login(username, password) {
    const res = await fetch(`${this.baseURL}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status} ${await res.text()}`)
    const body = await res.json()
    this.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]
    this.csrf = body.csrf_token
    return body.user
  }

  async request(method, path, body, headers = {}) {
    const h = { Accept: 'application/json', ...headers }
    if (this.cookie) h.Cookie = this.cookie
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf
    if (body !== undefined) h['Content-Type'] = 'application/json'
    const res = await fetch(`${this.baseURL}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : undefined }
  }
}

/** GET /api/v1/me with a bearer token: the HTTP status. */
export async function statusWithToken(baseURL, token) {
  const res = await fetch(`${baseURL}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })
  await res.arrayBuffer()
  return res.status
}

/** Asserts an API response's status (200 unless told) and returns its body. */
export function ok(r, status = 200) {
  assert.equal(r.status, status, JSON.stringify(r.body))
  return r.body
}

/** A node-side API client logged in as this user. */
export async function userApi(baseURL, username, password) {
  const api = new Api(baseURL)
  await api.login(username, password)
  return api
}

/** A node-side API client logged in as admin. */
export function adminApi(baseURL, adminPassword) {
  return userApi(baseURL, 'admin', adminPassword)
}

/**
 * Creates users with the admin's client: rows of [key, {username, display, password}, roles,
 * locale]; returns their ids by key.
 */
export async function createUsers(admin, rows) {
  const ids = {}
  for (const [key, u, roles, locale] of rows) {
    const r = await admin.request('POST', '/api/v1/users', { username: u.username, display_name: u.display, roles, locale, password: u.password })
    ids[key] = ok(r, 201).id
  }
  return ids
}

/**
 * Sets the members (and lead) of default teams named in `byName`, e.g. `{ 'Service Desk':
 * { member_ids: [7], lead_id: 7 } }`, with the admin's client; returns those teams by name.
 */
export async function setTeamMembers(admin, byName) {
  const teams = ok(await admin.request('GET', '/api/v1/teams?limit=100')).items
  const out = {}
  for (const [name, patch] of Object.entries(byName)) {
    const team = teams.find((t) => t.name === name)
    assert.ok(team, `no team named ${name}`)
    ok(await admin.request('PATCH', `/api/v1/teams/${team.id}`, { ...patch, version: team.version }))
    out[name] = team
  }
  return out
}

/** GET /api/v1/tickets/{number} with the client: the ticket (asserting 200). */
export async function getTicket(api, number) {
  return ok(await api.request('GET', `/api/v1/tickets/${number}`))
}

/** The CSS selector of the element(s) with the given data-test attribute. */
export const tid = (name) => `[data-test="${name}"]`

/** Fills the login form on screen and submits it. */
export async function submitLogin(page, username, password) {
  await page.fill(tid('login-username'), username)
  await page.fill(tid('login-password'), password)
  await page.click(tid('login-submit'))
}

/** A URL predicate: the home page, where a login without a redirect lands. */
export const atHome = (u) => u.pathname === '/'

/** A URL predicate: wherever the user's home is, no longer the login page. */
export const pastLogin = (u) => !u.pathname.startsWith('/login')

/** Opens /login and logs in; with `landed` (a URL predicate) also waits for that URL. */
export async function login(page, username, password, landed) {
  await page.goto('/login')
  await submitLogin(page, username, password)
  if (landed) await page.waitForURL(landed)
}

/** Picks a user in a UserPicker (remote search by username). */
export async function pickUser(page, pickerTest, username, id) {
  await page.click(`${tid(pickerTest)} .el-select__wrapper`)
  await page.keyboard.type(username)
  await page.locator(`${tid('user-option')}[data-key="${id}"]:visible`).click()
}

/**
 * Closes the open dropdown of a multi-select (after picking from it): Escape, until the option
 * list `optionTest` is hidden. A single Escape can arrive while the select re-renders its tags
 * and be lost, leaving the list over the button the test clicks next.
 */
export async function closeOptions(page, optionTest) {
  const options = page.locator(`${tid(optionTest)}:visible`)
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Escape')
    try {
      await options.first().waitFor({ state: 'hidden', timeout: 1000 })
      return
    } catch {
      // still open: press again
    }
  }
  throw new Error(`the ${optionTest} list did not close`)
}

/** Picks an option of an el-select by its data-test/data-key. */
export async function pickOption(page, selectTest, optionTest, key) {
  await page.click(`${tid(selectTest)} .el-select__wrapper`)
  await page.locator(`${tid(optionTest)}[data-key="${key}"]:visible`).click()
}

/**
 * Switches the UI language with the header's language menu, waits for <html lang>, then
 * `settle()`s. With `skipIfCurrent`, does nothing when the page already is in that language.
 */
export async function switchLanguage(page, locale, settle, { skipIfCurrent = false } = {}) {
  if (skipIfCurrent && (await page.evaluate(() => document.documentElement.lang)) === locale) return
  await page.click(tid('lang-switch-button'))
  await page.locator(`${tid(`lang-option-${locale}`)}:visible`).click()
  await page.waitForFunction((l) => document.documentElement.lang === l, locale)
  await settle()
}

/**
 * A viewport screenshot into SCREENSHOTS/name.png: first `settle()` (when given), then `waitMs`
 * so Element Plus transitions and fading messages finish and screenshots are stable.
 */
export async function screenshot(page, name, settle, waitMs = 350) {
  if (settle) await settle()
  await page.waitForTimeout(waitMs)
  await page.screenshot({ path: screenshotPath(name), fullPage: false })
}

/**
 * Launches a browser context (see launch) whose console and page errors `errors` collects
 * under `label`; returns it, its first page and that page's network-idle wait.
 */
export async function openPage(baseURL, name, errors, label = name, viewport = undefined) {
  const context = await launch(baseURL, name, viewport)
  errors.watch(context, label)
  const page = context.pages()[0] ?? (await context.newPage())
  return { context, page, idle: trackRequests(page) }
}

/** For after(): closes the contexts, stops the server (expecting exit code 0), removes temp dirs. */
export async function shutdown(server, contexts) {
  for (const c of contexts) if (c) await c.close().catch(() => {})
  if (server) {
    const r = await server.stop()
    assert.equal(r.code, 0, `yunwei exit after SIGTERM: ${JSON.stringify(r)}`)
  }
  removeTempDirs()
}

/** For afterEach(): no console errors or page errors other than expected ones. */
export function assertNoPageErrors(errors) {
  assert.deepEqual(errors.take(), [], 'console errors or page errors')
}

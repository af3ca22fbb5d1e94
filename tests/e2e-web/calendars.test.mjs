// Browser tests of business calendars and holiday sets (web/src/modules/sla-admin): the seeded
// calendars, the month view of February 2026 (春节 and the 调休 make-up Saturday), an override
// from a click on a date, weekly hours edited and saved (a client-side check and a server 400
// shown on their fields), the "try it" calculator, and a holiday-set import that is checked
// (errors with their line) before it is applied; an agent sees it all read-only. The real
// binary, Debian's Chromium via playwright-core, `node --test`; the steps share one server and
// run in order. Screenshots in en and zh-CN go to $YUNWEI_SCREENSHOTS.
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, test } from 'node:test'
import { adminApi, assertNoPageErrors, atHome, ErrorCollector, login, ok, openPage, screenshot, shutdown, startServer, switchLanguage, tid } from './support.mjs'

const ADMIN_PASSWORD = 'Admin-e2e-calendars-1'
const AGENT = { username: 'liuyang', display: '刘洋 Liu Yang', password: 'Agent-pass-1' }
const OFFICE = 'Office hours 工作时间'

const day = (date) => `${tid('month-day')}[data-date="${date}"]`

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

async function kindOf(date) {
  return page.locator(day(date)).getAttribute('data-kind')
}

/** Types a date-time into an Element Plus date picker and confirms it. */
async function fillPicker(test, value) {
  const input = page.locator(`${tid(test)} input, input${tid(test)}`).first()
  await input.click()
  await input.fill(value)
  await input.press('Enter')
  await page.keyboard.press('Escape')
}

before(async () => {
  server = await startServer(ADMIN_PASSWORD)
  base = server.url
  api.admin = await adminApi(base, ADMIN_PASSWORD)
  ok(await api.admin.request('POST', '/api/v1/users', { username: AGENT.username, display_name: AGENT.display, roles: ['agent'], locale: 'zh-CN', password: AGENT.password }), 201)
  const calendars = ok(await api.admin.request('GET', '/api/v1/calendars')).items
  state.office = calendars.find((c) => c.name === OFFICE)
  assert.ok(state.office, `seeded calendars: ${calendars.map((c) => c.name)}`)

  const opened = await openPage(base, 'calendars-admin', errors, 'admin')
  contexts.push(opened.context)
  page = opened.page
  idle = opened.idle
})

after(() => shutdown(server, contexts))

afterEach(() => assertNoPageErrors(errors))

describe('business calendars and holiday sets in Chromium', { concurrency: false }, () => {
  test('the calendars page lists the seeded calendars with zone, hours and holiday sets', async () => {
    await login(page, 'admin', ADMIN_PASSWORD, atHome)
    await switchLanguage(page, 'en', settle, { skipIfCurrent: true })
    await page.click(tid('nav-admin-sla-calendars'))
    await page.waitForURL((u) => u.pathname === '/admin/sla/calendars')
    const row = page.locator(`tr:has(${tid('calendar-row')}[data-key="${OFFICE}"])`)
    await row.waitFor()
    await page.locator(`${tid('calendar-row')}[data-key="24×7"]`).waitFor()
    assert.equal(await row.locator(tid('calendar-zone-cell')).innerText(), 'Asia/Shanghai')
    assert.match(await row.innerText(), /Mon–Fri 09:00–12:00, 13:00–18:00/)
    await row.locator(`${tid('calendar-set')}[data-key="cn-statutory"]`).waitFor()
    assert.equal(await page.locator('h1').innerText(), 'Business calendars')
    assert.match(await page.title(), /^Business calendars · /)
    await shot('sla-calendars-en')
  })

  test('the month view of February 2026 shows 春节, the make-up Saturday and weekly hours; a click adds an override', async () => {
    const row = page.locator(`tr:has(${tid('calendar-row')}[data-key="${OFFICE}"])`)
    await row.locator(tid('calendar-month')).click()
    await page.waitForURL((u) => u.pathname === `/admin/sla/calendars/${state.office.id}` && u.searchParams.get('tab') === 'month')
    await page.locator(tid('month-view')).waitFor()
    // Year and month pickers, then one step forward and back.
    const year = page.locator(`${tid('month-year')} input`)
    await year.fill('2026')
    await year.press('Enter')
    await page.click(`${tid('month-month')} .el-select__wrapper`)
    await page.locator(`${tid('month-option')}[data-key="2"]:visible`).click()
    await page.waitForFunction(() => document.querySelector('[data-test="month-title"]')?.dataset.key === '2026-02')
    await page.click(tid('month-next'))
    await page.waitForFunction(() => document.querySelector('[data-test="month-title"]')?.dataset.key === '2026-03')
    await page.click(tid('month-prev'))
    await page.waitForFunction(() => document.querySelector('[data-test="month-title"]')?.dataset.key === '2026-02')
    await page.waitForURL((u) => u.searchParams.get('month') === '2026-02')
    assert.equal(await page.locator(tid('month-title')).innerText(), 'February 2026')
    await page.locator(`${day('2026-02-16')}[data-kind="holiday"]`).waitFor()

    for (const d of ['2026-02-15', '2026-02-16', '2026-02-20', '2026-02-23']) {
      assert.equal(await kindOf(d), 'holiday', d)
      assert.equal(await page.locator(`${day(d)} ${tid('month-label')}`).innerText(), '春节')
    }
    for (const d of ['2026-02-14', '2026-02-28']) {
      assert.equal(await kindOf(d), 'makeup', d)
      assert.equal(await page.locator(day(d)).getAttribute('data-minutes'), '480')
      assert.equal(await page.locator(`${day(d)} ${tid('month-badge')}`).innerText(), 'Work')
    }
    assert.match(await page.locator(`${day('2026-02-14')} ${tid('month-label')}`).innerText(), /Make-up workday/)
    assert.equal(await kindOf('2026-02-13'), 'working')
    assert.match(await page.locator(day('2026-02-13')).innerText(), /09:00–12:00\s+13:00–18:00/)
    assert.equal(await kindOf('2026-02-08'), 'rest')
    // The make-up workday looks different from an ordinary working day.
    const look = (d) => page.locator(day(d)).evaluate((el) => `${getComputedStyle(el).backgroundColor} ${getComputedStyle(el).borderStyle}`)
    assert.notEqual(await look('2026-02-14'), await look('2026-02-13'))
    assert.notEqual(await look('2026-02-14'), await look('2026-02-16'))
    // 20 weekdays - 6 of 春节 + 2 make-up Saturdays.
    assert.match(await page.locator(tid('month-summary')).innerText(), /^16 working days, 128 h$/)
    await shot('sla-month-feb-2026-en')

    // Tuesday 24 February becomes a day off (stocktake).
    await page.click(day('2026-02-24'))
    const dialog = page.locator(`${tid('day-dialog')}:visible`)
    await dialog.waitFor()
    assert.match(await dialog.locator(tid('day-usual')).innerText(), /Tuesday[\s\S]*Working day/)
    await dialog.locator(tid('day-mode-off')).click()
    await page.fill(tid('day-note'), '盘点 Stocktake')
    await shot('sla-day-dialog-en')
    await page.click(tid('day-apply'))
    await dialog.waitFor({ state: 'hidden' })
    assert.equal(await kindOf('2026-02-24'), 'override')
    assert.equal(await page.locator(day('2026-02-24')).getAttribute('data-minutes'), '0')
    assert.equal(await page.locator(`${day('2026-02-24')} ${tid('month-label')}`).innerText(), '盘点 Stocktake')
    await page.locator(tid('calendar-unsaved')).waitFor()
    assert.match(await page.locator(tid('month-summary')).innerText(), /^15 working days, 120 h$/)
  })

  test('weekly hours: Friday ends at 17:00; a bad time and an unknown zone are shown on their fields; saved with the override', async () => {
    await page.click(tid('calendar-tab-settings'))
    await page.waitForURL((u) => !u.searchParams.get('tab'))
    await page.locator(tid('weekly-fri')).waitFor()
    await page.locator(`${tid('override-row')}[data-key="2026-02-24"]`).waitFor()

    // A time the client refuses: nothing is sent, the error is under Friday.
    await page.fill(tid('weekly-fri-end-1'), '7:00')
    let patches = 0
    const countPatch = (r) => {
      if (r.method() === 'PATCH') patches++
    }
    page.on('request', countPatch)
    await page.click(tid('calendar-save'))
    await page.locator(tid('weekly-error-fri')).waitFor()
    assert.match(await page.locator(tid('weekly-error-fri')).innerText(), /HH:MM/)
    assert.equal(await page.locator(`${tid('weekly-fri-range')}[data-index="1"]`).evaluate((el) => el.classList.contains('bad')), true)
    assert.equal(patches, 0)
    page.off('request', countPatch)
    await page.fill(tid('weekly-fri-end-1'), '17:00')

    // A zone the server does not know: 400 on "zone", shown under the zone select.
    await page.click(`${tid('calendar-form-zone')} .el-select__wrapper`)
    await page.keyboard.type('Mars/Olympus_Mons')
    await page.keyboard.press('Enter')
    await errors.expecting([400], async () => {
      const res = page.waitForResponse((r) => r.request().method() === 'PATCH')
      await page.click(tid('calendar-save'))
      assert.equal((await res).status(), 400)
      await page.locator(`.el-form-item:has(${tid('calendar-form-zone')}) .el-form-item__error`).waitFor()
    })
    assert.match(await page.locator(`.el-form-item:has(${tid('calendar-form-zone')}) .el-form-item__error`).innerText(), /Unknown time zone/)
    await shot('sla-calendar-zone-error-en')
    await page.click(`${tid('calendar-form-zone')} .el-select__wrapper`)
    await page.keyboard.type('Asia/Shang')
    await page.locator(`${tid('zone-option')}[data-key="Asia/Shanghai"]:visible`).click()

    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH')
    await page.click(tid('calendar-save'))
    assert.equal((await saved).status(), 200)
    await page.locator(tid('calendar-unsaved')).waitFor({ state: 'detached' })
    const cal = ok(await api.admin.request('GET', `/api/v1/calendars/${state.office.id}`))
    assert.equal(cal.zone, 'Asia/Shanghai')
    assert.deepEqual(cal.weekly.fri, [['09:00', '12:00'], ['13:00', '17:00']])
    assert.deepEqual(cal.weekly.thu, [['09:00', '12:00'], ['13:00', '18:00']])
    assert.deepEqual(cal.overrides, [{ date: '2026-02-24', hours: [], note: '盘点 Stocktake' }])
    assert.equal(cal.version, state.office.version + 1)
    await page.locator(tid('weekly')).scrollIntoViewIfNeeded()
    await shot('sla-calendar-settings-en')
  })

  test('the calculator: 2026-02-13 16:00 + 120 business minutes is due 2026-02-14 10:00 (Friday ends 17:00, Saturday is made up)', async () => {
    await page.click(tid('calendar-tab-try'))
    await page.locator(tid('try-panel')).waitFor()
    await fillPicker('try-add-start', '2026-02-13 16:00')
    const minutes = page.locator(`${tid('try-add-minutes')} input`)
    await minutes.fill('120')
    await minutes.press('Tab')
    const res = page.waitForResponse((r) => r.url().endsWith(`/api/v1/calendars/${state.office.id}/add`))
    await page.click(tid('try-add-submit'))
    const sent = (await res).request().postDataJSON()
    assert.deepEqual(sent, { start: '2026-02-13T16:00:00+08:00', minutes: 120 })
    await page.locator(tid('try-due')).waitFor()
    assert.equal(await page.locator(tid('try-due')).getAttribute('data-key'), '2026-02-14T10:00:00+08:00')
    assert.equal(await page.locator(tid('try-due-value')).innerText(), '2026-02-14 10:00')
    assert.match(await page.locator(tid('try-due')).innerText(), /Saturday · UTC\+08:00/)

    // Friday 16:00 to Monday 16 February 12:00: 60 min Friday + 480 min make-up Saturday; the
    // Sunday and Monday are 春节.
    await fillPicker('try-between-start', '2026-02-13 16:00')
    await fillPicker('try-between-end', '2026-02-16 12:00')
    await page.click(tid('try-between-submit'))
    await page.locator(tid('try-minutes')).waitFor()
    assert.equal(await page.locator(tid('try-minutes')).getAttribute('data-key'), '540')
    assert.equal(await page.locator(tid('try-minutes-value')).innerText(), '540 min')
    await shot('sla-calendar-try-en')
  })

  test('a new calendar: Hong Kong zone, Monday 08:00–20:00 copied to the weekdays, Saturday 24 hours, no holiday sets', async () => {
    await page.click(tid('nav-admin-sla-calendars'))
    await page.locator(`${tid('calendar-row')}[data-key="${OFFICE}"]`).waitFor()
    await page.click(tid('calendars-create'))
    await page.waitForURL((u) => u.pathname === '/admin/sla/calendars/new')
    await page.locator(tid('weekly-mon')).waitFor()
    await page.fill(tid('calendar-form-name'), 'HK support 香港支持')
    await page.click(`${tid('calendar-form-zone')} .el-select__wrapper`)
    await page.keyboard.type('Hong_Kong')
    await page.locator(`${tid('zone-option')}[data-key="Asia/Hong_Kong"]:visible`).click()
    await page.click(tid('weekly-mon-remove-1'))
    await page.fill(tid('weekly-mon-start-0'), '08:00')
    await page.fill(tid('weekly-mon-end-0'), '20:00')
    await page.click(tid('weekly-copy-monday'))
    assert.equal(await page.locator(tid('weekly-thu-end-0')).inputValue(), '20:00')
    assert.equal(await page.locator(tid('weekly-thu-range')).count(), 1)
    await page.click(tid('weekly-24h-sat'))
    assert.equal(await page.locator(tid('weekly-sat-end-0')).inputValue(), '24:00')
    // New calendars start with cn-statutory; this one has none.
    await page.locator(`${tid('calendar-form-holiday-sets')} .el-tag__close`).click()
    assert.match(await page.locator(tid('weekly-total')).innerText(), /84 h a week/)
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/calendars') && r.request().method() === 'POST')
    await page.click(tid('calendar-save'))
    const res = await created
    assert.equal(res.status(), 201)
    const body = await res.json()
    state.hk = body
    await page.waitForURL((u) => u.pathname === `/admin/sla/calendars/${body.id}`)
    await page.locator(tid('calendar-tab-month')).waitFor()
    assert.equal(await page.locator(tid('calendar-title')).innerText(), 'HK support 香港支持')
    assert.equal(body.zone, 'Asia/Hong_Kong')
    assert.deepEqual(body.holiday_sets, [])
    for (const d of ['mon', 'tue', 'wed', 'thu', 'fri']) assert.deepEqual(body.weekly[d], [['08:00', '20:00']], d)
    assert.deepEqual(body.weekly.sat, [['00:00', '24:00']])
    assert.deepEqual(body.weekly.sun, [])
    await page.click(tid('calendar-back'))
    await page.locator(`${tid('calendar-row')}[data-key="HK support 香港支持"]`).waitFor()
  })

  test('a calendar changed by someone else meanwhile: the save answers 409, the latest version is loaded and said so', async () => {
    await page.locator(`${tid('calendar-row')}[data-key="HK support 香港支持"]`).click()
    await page.locator(tid('weekly-mon')).waitFor()
    await settle()
    await page.fill(tid('calendar-form-name'), 'HK support (edited)')
    await page.locator(tid('calendar-unsaved')).waitFor()
    ok(await api.admin.request('PATCH', `/api/v1/calendars/${state.hk.id}`, { version: state.hk.version, overrides: [{ date: '2026-12-25', hours: [], note: 'Christmas' }] }))
    await errors.expecting([409], async () => {
      const res = page.waitForResponse((r) => r.request().method() === 'PATCH')
      await page.click(tid('calendar-save'))
      assert.equal((await res).status(), 409)
      await page.locator(tid('calendar-stale')).waitFor()
    })
    await page.locator(`${tid('override-row')}[data-key="2026-12-25"]`).waitFor()
    assert.equal(await page.locator(tid('calendar-form-name')).inputValue(), 'HK support 香港支持')
    await page.locator(tid('calendar-unsaved')).waitFor({ state: 'detached' })
    await page.click(tid('calendar-back'))
    await page.locator(`${tid('calendar-row')}[data-key="${OFFICE}"]`).waitFor()
  })

  test('holiday sets: a bad year shows its error with the line; a good one is checked and imported', async () => {
    await page.click(tid('nav-admin-sla-holidays'))
    await page.waitForURL((u) => u.pathname === '/admin/sla/holiday-sets')
    const row = page.locator(`tr:has(${tid('set-row')}[data-key="cn-statutory"])`)
    await row.waitFor()
    assert.equal(await row.locator(tid('set-years')).innerText(), '2024–2026')
    await row.locator(tid('set-builtin')).waitFor()
    const before = ok(await api.admin.request('GET', '/api/v1/holiday-sets')).items.find((s) => s.key === 'cn-statutory')
    assert.equal(await row.locator(tid('set-holidays')).innerText(), String(before.holidays))
    await shot('sla-holiday-sets-en')

    await row.locator(tid('set-import')).click()
    const dialog = page.locator(`${tid('import-dialog')}:visible`)
    await dialog.waitFor()
    // 2027-02-15 is a Monday: not a make-up workday (line 8).
    const bad = [
      '{',
      '  "years": {',
      '    "2027": {',
      '      "holidays": [',
      '        { "name": "元旦", "days": ["2027-01-01"] },',
      '        { "name": "春节", "days": ["2027-02-06", "2027-02-07"] }',
      '      ],',
      '      "make_up_workdays": ["2027-02-15"]',
      '    }',
      '  }',
      '}',
    ].join('\n')
    await page.fill(tid('import-text'), bad)
    assert.equal(await page.locator(tid('import-submit')).isDisabled(), true)
    await errors.expecting([422], async () => {
      const res = page.waitForResponse((r) => r.url().includes('/import?dry_run=true'))
      await page.click(tid('import-check'))
      assert.equal((await res).status(), 422)
      await dialog.locator(tid('import-errors')).waitFor()
    })
    const errs = await dialog.locator(tid('import-error')).evaluateAll((els) => els.map((e) => e.dataset.line))
    assert.deepEqual(errs, ['8'])
    assert.match(await dialog.locator(tid('import-errors')).innerText(), /2027-02-15 is not a Saturday or Sunday/)
    assert.equal(await page.locator(tid('import-submit')).isDisabled(), true)
    // The line number selects the line in the text.
    await dialog.locator(`${tid('import-error')}[data-line="8"]`).click()
    const selected = await page.locator(tid('import-text')).evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd))
    assert.equal(selected, '      "make_up_workdays": ["2027-02-15"]')
    await shot('sla-import-errors-en')

    // Fixed: Saturday 20 February. Checked clean, then imported.
    await page.fill(tid('import-text'), bad.replace('2027-02-15', '2027-02-20'))
    await dialog.locator(tid('import-stale')).waitFor()
    const check = page.waitForResponse((r) => r.url().includes('/import?dry_run=true'))
    await page.click(tid('import-check'))
    assert.equal((await check).status(), 200)
    await page.locator(`${tid('import-report')}[data-ok="true"]`).waitFor()
    assert.equal(await dialog.locator(tid('import-years')).innerText(), '2027')
    assert.equal(await dialog.locator(tid('import-holidays')).innerText(), '3')
    assert.equal(await dialog.locator(tid('import-workdays')).innerText(), '1')
    // A dry run changed nothing.
    const mid = ok(await api.admin.request('GET', '/api/v1/holiday-sets')).items.find((s) => s.key === 'cn-statutory')
    assert.deepEqual(mid.years, [2024, 2025, 2026])
    await shot('sla-import-checked-en')
    const applied = page.waitForResponse((r) => r.url().endsWith('/holiday-sets/cn-statutory/import'))
    await page.click(tid('import-submit'))
    assert.equal((await applied).status(), 200)
    await dialog.waitFor({ state: 'hidden' })
    await page.waitForFunction(() => [...document.querySelectorAll('[data-test="set-years"]')].some((e) => e.textContent === '2024–2027'))
    const days = ok(await api.admin.request('GET', '/api/v1/holiday-sets/cn-statutory/days?year=2027')).items
    assert.deepEqual(days.map((d) => [d.date, d.kind]), [
      ['2027-01-01', 'holiday'],
      ['2027-02-06', 'holiday'],
      ['2027-02-07', 'holiday'],
      ['2027-02-20', 'workday'],
    ])
  })

  test('the pages in Chinese', async () => {
    await switchLanguage(page, 'zh-CN', settle, { skipIfCurrent: true })
    await page.goto('/admin/sla/holiday-sets')
    await page.locator(`${tid('set-row')}[data-key="cn-statutory"]`).waitFor()
    assert.equal(await page.locator('h1').innerText(), '节假日集')
    assert.match(await page.title(), /^节假日集 · /)
    await shot('sla-holiday-sets-zh-CN')
    await page.click(tid('nav-admin-sla-calendars'))
    await page.locator(`${tid('calendar-row')}[data-key="${OFFICE}"]`).waitFor()
    assert.equal(await page.locator('h1').innerText(), '工作日历')
    assert.match(await page.title(), /^工作日历 · /)
    await shot('sla-calendars-zh-CN')
    await page.goto(`/admin/sla/calendars/${state.office.id}?tab=month&month=2026-02`)
    await page.locator(`${day('2026-02-14')}[data-kind="makeup"]`).waitFor()
    assert.equal(await page.locator(`${day('2026-02-14')} ${tid('month-badge')}`).innerText(), '班')
    assert.equal(await page.locator(`${day('2026-02-14')} ${tid('month-label')}`).innerText(), '调休上班')
    assert.equal(await page.locator(`${day('2026-02-16')} ${tid('month-badge')}`).innerText(), '休')
    assert.equal(await page.locator(tid('month-title')).innerText(), '2026年2月')
    await shot('sla-month-feb-2026-zh-CN')
    await page.click(tid('calendar-tab-settings'))
    await page.locator(tid('weekly-fri')).waitFor()
    await shot('sla-calendar-settings-zh-CN')
    await page.click(tid('calendar-tab-try'))
    await page.locator(tid('try-panel')).waitFor()
    await shot('sla-calendar-try-zh-CN')
    await switchLanguage(page, 'en', settle, { skipIfCurrent: true })
  })

  test('an agent sees calendars and holiday sets read-only', async () => {
    const { context, page: p, idle: agentIdle } = await openPage(base, 'calendars-agent', errors, 'agent')
    contexts.push(context)
    await login(p, AGENT.username, AGENT.password, atHome)
    await p.click(tid('nav-admin-sla-calendars'))
    await p.locator(`${tid('calendar-row')}[data-key="${OFFICE}"]`).waitFor()
    assert.equal(await p.locator(tid('calendars-create')).count(), 0)
    await p.locator(`${tid('calendar-row')}[data-key="${OFFICE}"]`).click()
    await p.locator(tid('weekly-fri')).waitFor()
    await agentIdle()
    assert.equal(await p.locator(tid('calendar-save')).count(), 0)
    assert.ok(await p.locator(tid('weekly-fri-end-1')).isDisabled())
    assert.equal(await p.locator(tid('weekly-copy-monday')).count(), 0)
    await p.click(tid('calendar-tab-month'))
    await p.locator(tid('month-view')).waitFor()
    assert.equal(await p.locator(`button${tid('month-day')}`).count(), 0, 'dates are not clickable')
    await p.click(tid('nav-admin-sla-holidays'))
    await p.locator(`${tid('set-row')}[data-key="cn-statutory"]`).waitFor()
    assert.equal(await p.locator(tid('sets-create')).count(), 0)
    assert.equal(await p.locator(tid('set-import')).count(), 0)
    // The days of a set are there for everyone.
    await p.locator(`tr:has(${tid('set-row')}[data-key="cn-statutory"]) ${tid('set-days')}`).click()
    await p.locator(`${tid('set-days-dialog')}:visible ${tid('set-days-table')}`).waitFor()
    await agentIdle()
  })
})

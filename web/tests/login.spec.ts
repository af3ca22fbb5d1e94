// The login page against a fake API: throttling message, redirect after login, locale sync.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import App from '../src/App.vue'
import { i18n, applyLocale } from '../src/i18n'
import { createAppRouter } from '../src/router'
import { adminMe, apiError, mockFetch, sessionAnswer } from './helpers'

async function mountAt(path: string) {
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(undefined, createMemoryHistory())
  router.push(path)
  await router.isReady()
  const wrapper = mount(App, { global: { plugins: [pinia, i18n, router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

async function fillAndSubmit(wrapper: ReturnType<typeof mount>, user: string, pass: string) {
  await wrapper.find('[data-test="login-username"]').setValue(user)
  await wrapper.find('[data-test="login-password"]').setValue(pass)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
  await new Promise((r) => setTimeout(r, 20))
  await flushPromises()
}

beforeEach(() => {
  localStorage.clear()
  applyLocale('en')
})
afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('login page', () => {
  it('shows the throttling message with the Retry-After seconds on 429', async () => {
    mockFetch((c) => {
      if (c.url === '/api/v1/auth/session') return sessionAnswer(null)
      return { ...apiError(429, 'too_many_requests', 'too many failed logins'), headers: { 'Retry-After': '42' } }
    })
    const { wrapper } = await mountAt('/login')
    await fillAndSubmit(wrapper, 'admin', 'wrong-password')
    const alert = wrapper.find('[data-test="login-throttled"]')
    expect(alert.exists()).toBe(true)
    expect(alert.text()).toContain('42')
    expect(wrapper.find('[data-test="login-submit"]').attributes('disabled')).toBeDefined()
    wrapper.unmount()
  })

  it('shows a wrong-password message on 401', async () => {
    mockFetch((c) => (c.url === '/api/v1/auth/session' ? sessionAnswer(null) : apiError(401, 'unauthenticated', 'wrong username or password')))
    const { wrapper } = await mountAt('/login')
    await fillAndSubmit(wrapper, 'admin', 'nope-nope')
    expect(wrapper.find('[data-test="login-error"]').text()).toContain('Wrong username or password')
    wrapper.unmount()
  })

  it('logs in, applies the profile language and returns to the redirect target', async () => {
    let loggedIn = false
    const calls = mockFetch((c) => {
      if (c.url === '/api/v1/auth/login') {
        loggedIn = true
        return { status: 200, body: { user: adminMe, csrf_token: 'csrf-abc', expires_at: '2026-01-02T00:00:00Z' } }
      }
      if (c.url === '/api/v1/auth/session') return sessionAnswer(loggedIn ? { ...adminMe, locale: 'zh-CN' } : null)
      return { status: 200, body: { items: [], next_cursor: null } }
    })
    const { wrapper, router } = await mountAt('/login?redirect=/admin/teams')
    await fillAndSubmit(wrapper, 'Admin', 'correct-horse')
    expect(calls.find((c) => c.url === '/api/v1/auth/login')?.body).toEqual({ username: 'admin', password: 'correct-horse' })
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/admin/teams'), { timeout: 10000 })
    await vi.waitFor(() => expect(wrapper.find('[data-test="teams-table"]').exists()).toBe(true), { timeout: 10000 })
    await flushPromises()
    expect(i18n.global.locale.value).toBe('zh-CN')
    wrapper.unmount()
  })

  it('saves a language chosen before login to the profile', async () => {
    let loggedIn = false
    const calls = mockFetch((c) => {
      if (c.url === '/api/v1/auth/login') {
        loggedIn = true
        return { status: 200, body: { user: adminMe, csrf_token: 'csrf-abc', expires_at: '2026-01-02T00:00:00Z' } }
      }
      if (c.url === '/api/v1/me' && c.method === 'PATCH') return { status: 200, body: { ...adminMe, locale: 'en', version: 4 } }
      if (c.url === '/api/v1/auth/session') return sessionAnswer(loggedIn ? { ...adminMe, locale: 'zh-CN' } : null)
      return { status: 200, body: { items: [], next_cursor: null } }
    })
    localStorage.setItem('yw.locale', 'en')
    localStorage.setItem('yw.locale.pending', '1')
    const { wrapper, router } = await mountAt('/login')
    await fillAndSubmit(wrapper, 'admin', 'correct-horse')
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/'), { timeout: 10000 })
    await vi.waitFor(() => expect(wrapper.find('[data-test="home-greeting"]').exists()).toBe(true), { timeout: 10000 })
    await flushPromises()
    const patch = calls.find((c) => c.method === 'PATCH')
    expect(patch?.body).toEqual({ locale: 'en', version: 3 })
    expect(patch?.headers['X-CSRF-Token']).toBe('csrf-abc')
    expect(i18n.global.locale.value).toBe('en')
    wrapper.unmount()
  })
})

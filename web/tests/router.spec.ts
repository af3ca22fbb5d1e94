import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import { createAppRouter, safeRedirect } from '../src/router'
import { getCsrfToken, setCsrfToken } from '../src/api/client'
import { useSessionStore } from '../src/stores/session'
import { adminMe, apiError, mockFetch, requesterMe, sessionAnswer, type Call } from './helpers'

let calls: Call[] = []
function routerWith(me: { csrf_token?: string; [k: string]: unknown } | null) {
  calls = mockFetch((c) => (c.url === '/api/v1/auth/session' ? sessionAnswer(me) : { status: 404 }))
  return createAppRouter(undefined, createMemoryHistory())
}

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  setCsrfToken('')
})
afterEach(() => vi.unstubAllGlobals())

describe('router guards', () => {
  it('sends a visitor to /login with the page to come back to', async () => {
    const router = routerWith(null)
    await router.push('/admin/users?q=li')
    expect(router.currentRoute.value.path).toBe('/login')
    expect(router.currentRoute.value.query.redirect).toBe('/admin/users?q=li')
    // Only the public session probe, which never answers 401 (no error in the browser console).
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/v1/auth/session'])
  })

  it('takes the user and the CSRF token from the session probe', async () => {
    const router = routerWith({ ...adminMe, csrf_token: undefined })
    await router.push('/admin/teams')
    expect(router.currentRoute.value.name).toBe('admin-teams')
    expect(useSessionStore().me?.username).toBe('admin')
    expect(getCsrfToken()).toBe('csrf-probe')
    expect(calls.some((c) => c.url === '/api/v1/me')).toBe(false)
  })

  it('stays on /login when the server cannot be reached', async () => {
    calls = mockFetch(() => apiError(502, 'bad_gateway', 'down'))
    const router = createAppRouter(undefined, createMemoryHistory())
    await router.push('/admin/teams')
    expect(router.currentRoute.value.fullPath).toBe('/login?redirect=/admin/teams')
  })

  it('lets staff into the workspace and keeps them out of the portal', async () => {
    const router = routerWith(adminMe)
    await router.push('/admin/teams')
    expect(router.currentRoute.value.name).toBe('admin-teams')
    await router.push('/portal')
    expect(router.currentRoute.value.path).toBe('/')
  })

  it('sends requesters to the portal, away from staff pages', async () => {
    const router = routerWith(requesterMe)
    await router.push('/admin/users')
    expect(router.currentRoute.value.path).toBe('/portal')
    await router.push('/profile')
    expect(router.currentRoute.value.path).toBe('/portal')
    await router.push('/portal/profile')
    expect(router.currentRoute.value.name).toBe('portal-profile')
  })

  it('moves a logged-in user away from /login', async () => {
    const router = routerWith(adminMe)
    await router.push('/login?redirect=/admin/teams')
    expect(router.currentRoute.value.path).toBe('/admin/teams')
  })

  it('shows not-found inside the workspace for unknown pages', async () => {
    const router = routerWith(adminMe)
    await router.push('/no/such/page')
    expect(router.currentRoute.value.name).toBe('not-found')
  })
})

describe('safeRedirect', () => {
  it('follows same-site paths only', () => {
    expect(safeRedirect('/admin/users?q=x')).toBe('/admin/users?q=x')
    expect(safeRedirect('//evil.example/')).toBeNull()
    expect(safeRedirect('/\\evil.example')).toBeNull()
    expect(safeRedirect('https://evil.example/')).toBeNull()
    expect(safeRedirect('/login?redirect=/x')).toBeNull()
    expect(safeRedirect(undefined)).toBeNull()
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import { createAppRouter, safeRedirect } from '../src/router'
import { adminMe, apiError, mockFetch, requesterMe, type Call } from './helpers'

let calls: Call[] = []
function routerWith(me: unknown) {
  // A previous login leaves this hint; without it the app does not even ask the server.
  if (me) localStorage.setItem('yw.session', '1')
  calls = mockFetch((c) => (c.url === '/api/v1/me' ? (me ? { status: 200, body: me } : apiError(401, 'unauthenticated', 'log in')) : { status: 404 }))
  return createAppRouter(undefined, createMemoryHistory())
}

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
})
afterEach(() => vi.unstubAllGlobals())

describe('router guards', () => {
  it('sends a visitor to /login with the page to come back to', async () => {
    const router = routerWith(null)
    await router.push('/admin/users?q=li')
    expect(router.currentRoute.value.path).toBe('/login')
    expect(router.currentRoute.value.query.redirect).toBe('/admin/users?q=li')
    // No session hint: no GET /api/v1/me, so no 401 in the browser console.
    expect(calls).toEqual([])
  })

  it('forgets an expired session and goes to /login', async () => {
    localStorage.setItem('yw.session', '1')
    calls = mockFetch(() => apiError(401, 'unauthenticated', 'session expired'))
    const router = createAppRouter(undefined, createMemoryHistory())
    await router.push('/admin/teams')
    expect(router.currentRoute.value.fullPath).toBe('/login?redirect=/admin/teams')
    expect(localStorage.getItem('yw.session')).toBeNull()
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

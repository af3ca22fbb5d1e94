import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, buildUrl, onUnauthorized, setCsrfToken } from '../src/api/client'
import { apiError, mockFetch } from './helpers'

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (e) {
    return e as ApiError
  }
  throw new Error('expected the call to fail')
}

afterEach(() => {
  vi.unstubAllGlobals()
  onUnauthorized(null)
  setCsrfToken('')
})

describe('api client', () => {
  it('sends X-CSRF-Token on writes only', async () => {
    const calls = mockFetch(() => ({ status: 200, body: { ok: true } }))
    setCsrfToken('tok-1')
    await api.get('/api/v1/me')
    await api.patch('/api/v1/me', { display_name: 'x', version: 1 })
    await api.del('/api/v1/me/tokens/3')
    expect(calls[0].headers['X-CSRF-Token']).toBeUndefined()
    expect(calls[1].headers['X-CSRF-Token']).toBe('tok-1')
    expect(calls[1].headers['Content-Type']).toBe('application/json')
    expect(calls[1].body).toEqual({ display_name: 'x', version: 1 })
    expect(calls[2].headers['X-CSRF-Token']).toBe('tok-1')
    expect(calls[2].headers['Content-Type']).toBeUndefined()
  })

  it('builds query strings without empty values', () => {
    expect(buildUrl('/api/v1/users', { q: 'li', role: '', active: true, cursor: null, limit: 20 })).toBe(
      '/api/v1/users?q=li&active=true&limit=20',
    )
    expect(buildUrl('/api/v1/users', { q: '张 三' })).toBe('/api/v1/users?q=%E5%BC%A0+%E4%B8%89')
  })

  it('turns error bodies into ApiError with field and Retry-After', async () => {
    mockFetch((c) =>
      c.url.includes('login')
        ? { ...apiError(429, 'too_many_requests', 'too many failed logins'), headers: { 'Retry-After': '42' } }
        : apiError(400, 'invalid_argument', 'is not an email address', 'email'),
    )
    const e1 = await failure(api.post('/api/v1/users', {}))
    expect(e1).toBeInstanceOf(ApiError)
    expect(e1.status).toBe(400)
    expect(e1.field).toBe('email')
    expect(e1.message).toBe('is not an email address')
    const e2 = await failure(api.post('/api/v1/auth/login', {}))
    expect(e2.status).toBe(429)
    expect(e2.retryAfter).toBe(42)
  })

  it('recognises a stale version (409 on field version) only', async () => {
    mockFetch((c) =>
      c.url.endsWith('/1')
        ? apiError(409, 'conflict', 'the user was changed by someone else', 'version')
        : apiError(409, 'conflict', 'username is taken', 'username'),
    )
    const stale = await failure(api.patch('/api/v1/users/1', {}))
    const taken = await failure(api.patch('/api/v1/users/2', {}))
    expect(stale.isStaleVersion).toBe(true)
    expect(taken.isStaleVersion).toBe(false)
  })

  it('calls the 401 hook unless told not to', async () => {
    mockFetch(() => apiError(401, 'unauthenticated', 'log in'))
    const hook = vi.fn()
    onUnauthorized(hook)
    await api.get('/api/v1/users').catch(() => undefined)
    expect(hook).toHaveBeenCalledTimes(1)
    await api.get('/api/v1/me', undefined, { noAuthRedirect: true }).catch(() => undefined)
    expect(hook).toHaveBeenCalledTimes(1)
  })

  it('returns undefined for 204 and reports network failures', async () => {
    mockFetch(() => ({ status: 204 }))
    await expect(api.post('/api/v1/auth/logout')).resolves.toBeUndefined()
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    const e = await failure(api.get('/api/v1/me'))
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(0)
    expect(e.code).toBe('network')
  })
})

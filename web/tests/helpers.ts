import { vi } from 'vitest'

export interface Call {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

type Handler = (call: Call) => { status: number; body?: unknown; headers?: Record<string, string> }

/** Replaces global fetch with a router of canned answers; returns the calls seen. */
export function mockFetch(handler: Handler): Call[] {
  const calls: Call[] = []
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const call: Call = {
      method: init.method ?? 'GET',
      url: String(input),
      headers: (init.headers as Record<string, string>) ?? {},
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    }
    calls.push(call)
    const r = handler(call)
    const text = r.body === undefined ? '' : JSON.stringify(r.body)
    return new Response(r.status === 204 ? null : text, {
      status: r.status,
      headers: { 'Content-Type': 'application/json', ...(r.headers ?? {}) },
    })
  })
  return calls
}

export function apiError(status: number, code: string, message: string, field?: string) {
  return { status, body: { error: { code, message, ...(field ? { field } : {}) } } }
}

export const adminMe = {
  id: 1,
  username: 'admin',
  display_name: 'Admin',
  email: '',
  phone: '',
  locale: 'en',
  time_zone: 'Asia/Shanghai',
  roles: ['admin'],
  active: true,
  has_password: true,
  team_ids: [],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  version: 3,
  permissions: { users_read: true, users_write: true, audit_read: true },
  csrf_token: 'csrf-abc',
}

export const requesterMe = {
  ...adminMe,
  id: 7,
  username: 'wang',
  display_name: '王小明',
  roles: ['requester'],
  permissions: { users_read: false, users_write: false, audit_read: false },
}

/** The answer of GET /api/v1/auth/session for a user (or none): never a 401. */
export function sessionAnswer(me: { csrf_token?: string; [k: string]: unknown } | null, csrf = 'csrf-probe') {
  return me
    ? { status: 200, body: { authenticated: true, user: me, csrf_token: me.csrf_token ?? csrf } }
    : { status: 200, body: { authenticated: false } }
}

// The one place that talks HTTP to the yunwei API: session cookie + X-CSRF-Token on writes,
// errors as ApiError, and a hook that sends the user to /login on any 401.

export interface ApiErrorBody {
  code: string
  message: string
  field?: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly field: string
  /** Seconds from a Retry-After header (429), else 0. */
  readonly retryAfter: number
  /** The whole JSON answer, for errors that carry more than `error` (e.g. an import's 422). */
  readonly data: unknown

  constructor(status: number, body: ApiErrorBody, retryAfter = 0, data: unknown = undefined) {
    super(body.message || body.code || `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code || 'unknown'
    this.field = body.field || ''
    this.retryAfter = retryAfter
    this.data = data
  }

  /** A 409 about the record version: someone else changed it since we read it. */
  get isStaleVersion(): boolean {
    return this.status === 409 && this.field === 'version'
  }
}

type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  query?: Query
  body?: unknown
  /** A body sent as is with its own Content-Type (e.g. text/calendar), instead of `body`. */
  raw?: { contentType: string; data: string | Blob }
  /** Do not run the 401 hook (used by the session probe and the login call). */
  noAuthRedirect?: boolean
  signal?: AbortSignal
}

let csrfToken = ''
let unauthorizedHook: (() => void) | null = null

export function setCsrfToken(token: string | undefined | null): void {
  csrfToken = token || ''
}

export function getCsrfToken(): string {
  return csrfToken
}

/** Called on every 401 (except where noAuthRedirect is set). */
export function onUnauthorized(hook: (() => void) | null): void {
  unauthorizedHook = hook
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue
      params.append(k, String(v))
    }
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

function parseRetryAfter(v: string | null): number {
  if (!v) return 0
  const n = Number(v)
  if (Number.isFinite(n) && n >= 0) return Math.ceil(n)
  const when = Date.parse(v)
  return Number.isNaN(when) ? 0 : Math.max(0, Math.ceil((when - Date.now()) / 1000))
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const init: RequestInit = { method, headers, credentials: 'same-origin', signal: opts.signal }
  if (opts.raw) {
    headers['Content-Type'] = opts.raw.contentType
    init.body = opts.raw.data
  } else if (typeof FormData !== 'undefined' && opts.body instanceof FormData) {
    // multipart/form-data: the browser sets the Content-Type with its boundary.
    init.body = opts.body
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(opts.body)
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken

  let res: Response
  try {
    res = await fetch(buildUrl(path, opts.query), init)
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e
    throw new ApiError(0, { code: 'network', message: (e as Error)?.message || 'network error' })
  }

  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  if (res.ok) return data as T

  const body = (data as { error?: ApiErrorBody } | undefined)?.error ?? {
    code: `http_${res.status}`,
    message: res.statusText || `HTTP ${res.status}`,
  }
  const err = new ApiError(res.status, body, parseRetryAfter(res.headers.get('Retry-After')), data)
  if (res.status === 401 && !opts.noAuthRedirect && unauthorizedHook) unauthorizedHook()
  throw err
}

export const api = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) =>
    request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) =>
    request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts: RequestOptions = {}) =>
    request<T>('PATCH', path, { ...opts, body }),
  del: <T>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
  /** POST multipart/form-data (file uploads). */
  upload: <T>(path: string, form: FormData, opts: RequestOptions = {}) =>
    request<T>('POST', path, { ...opts, body: form }),
}

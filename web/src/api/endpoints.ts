// Typed wrappers around the routes listed by `yunwei routes`.
import { api } from './client'
import type { ApiToken, CreatedToken, LoginResponse, Me, Page, SessionProbe, Team, User, Role, Locale } from './types'

export interface UserQuery {
  q?: string
  role?: Role | ''
  active?: boolean | null
  team_id?: number
  sort?: string
  limit?: number
  cursor?: string | null
}

export interface NewUserBody {
  username: string
  display_name: string
  email?: string
  phone?: string
  locale?: Locale
  time_zone?: string
  organisation?: string
  roles: Role[]
  password?: string
}

export interface UserPatchBody {
  display_name?: string
  email?: string
  phone?: string
  locale?: Locale
  time_zone?: string
  organisation?: string
  roles?: Role[]
  version: number
}

export interface MePatchBody {
  display_name?: string
  email?: string
  phone?: string
  locale?: Locale
  time_zone?: string
  version: number
}

export interface TeamQuery {
  q?: string
  active?: boolean | null
  member_id?: number
  sort?: string
  limit?: number
  cursor?: string | null
}

export interface TeamBody {
  name: string
  name_zh?: string
  description?: string
  lead_id?: number | null
  member_ids?: number[]
}

export const authApi = {
  login: (username: string, password: string) =>
    api.post<LoginResponse>('/api/v1/auth/login', { username, password }, { noAuthRedirect: true }),
  logout: () => api.post<void>('/api/v1/auth/logout', undefined, { noAuthRedirect: true }),
  /** Public start-up probe: never a 401, `{authenticated:false}` without a live session. */
  session: () => api.get<SessionProbe>('/api/v1/auth/session', undefined, { noAuthRedirect: true }),
}

export const meApi = {
  get: (opts: { noAuthRedirect?: boolean } = {}) => api.get<Me>('/api/v1/me', undefined, opts),
  patch: (body: MePatchBody) => api.patch<Me>('/api/v1/me', body),
  changePassword: (current_password: string, new_password: string) =>
    api.post<void>('/api/v1/me/password', { current_password, new_password }),
  tokens: () => api.get<Page<ApiToken>>('/api/v1/me/tokens'),
  createToken: (name: string, expires_at: string | null) =>
    api.post<CreatedToken>('/api/v1/me/tokens', expires_at ? { name, expires_at } : { name }),
  revokeToken: (id: number) => api.del<ApiToken>(`/api/v1/me/tokens/${id}`),
}

export const usersApi = {
  list: (q: UserQuery) => api.get<Page<User>>('/api/v1/users', { ...q }),
  get: (id: number) => api.get<User>(`/api/v1/users/${id}`),
  create: (body: NewUserBody) => api.post<User>('/api/v1/users', body),
  update: (id: number, body: UserPatchBody) => api.patch<User>(`/api/v1/users/${id}`, body),
  setActive: (id: number, active: boolean, version?: number) =>
    api.post<User>(`/api/v1/users/${id}/${active ? 'activate' : 'deactivate'}`,
      version === undefined ? undefined : { version }),
  setPassword: (id: number, password: string) =>
    api.post<User>(`/api/v1/users/${id}/password`, { password }),
}

export const teamsApi = {
  list: (q: TeamQuery) => api.get<Page<Team>>('/api/v1/teams', { ...q }),
  get: (id: number) => api.get<Team>(`/api/v1/teams/${id}`),
  create: (body: TeamBody) => api.post<Team>('/api/v1/teams', body),
  update: (id: number, body: Partial<TeamBody> & { version: number }) =>
    api.patch<Team>(`/api/v1/teams/${id}`, body),
  setActive: (id: number, active: boolean, version?: number) =>
    api.post<Team>(`/api/v1/teams/${id}/${active ? 'activate' : 'deactivate'}`,
      version === undefined ? undefined : { version }),
}

/** Every page of a list, following next_cursor (for small, bounded lists only). */
export async function fetchAll<T>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  maxPages = 20,
): Promise<T[]> {
  const out: T[] = []
  let cursor: string | null = null
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await fetchPage(cursor)
    out.push(...page.items)
    if (!page.next_cursor) break
    cursor = page.next_cursor
  }
  return out
}

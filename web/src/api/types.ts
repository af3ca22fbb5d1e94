// Shapes of the JSON the yunwei API returns (src/api/*_routes.cpp on the server).

export const ROLES = ['admin', 'agent', 'approver', 'requester', 'auditor'] as const
export type Role = (typeof ROLES)[number]

/** Roles that make a user "staff" (agent workspace); anyone else gets the requester portal. */
export const STAFF_ROLES: readonly Role[] = ['admin', 'agent', 'approver', 'auditor']

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

export interface User {
  id: number
  username: string
  display_name: string
  email: string
  phone: string
  locale: Locale
  time_zone: string
  /** Department or company; scopes "my organisation's tickets". */
  organisation?: string
  roles: Role[]
  active: boolean
  has_password: boolean
  team_ids: number[]
  created_at: string
  updated_at: string
  version: number
}

export interface Permissions {
  users_read: boolean
  users_write: boolean
  audit_read: boolean
  tickets_read: boolean
  tickets_create: boolean
  tickets_staff: boolean
  tickets_work: boolean
  tickets_admin: boolean
  /** Business calendars and holiday sets: read (staff), change (admin). */
  sla_read: boolean
  sla_admin: boolean
  /** CMDB: read (staff), write CIs and relations (agent, admin), define CI types (admin). */
  cmdb_read: boolean
  cmdb_write: boolean
  cmdb_admin: boolean
  /** Problems and changes: calendar, inbox, known errors, candidates (staff); decide on approvals
   * (approver, agent, admin: membership of the step decides); windows, templates, settings (admin). */
  changes_read: boolean
  changes_approve: boolean
  changes_admin: boolean
}
export type Permission = keyof Permissions

export interface Me extends User {
  permissions: Permissions
  csrf_token?: string
}

/** GET /api/v1/auth/session: public, never 401. */
export interface SessionProbe {
  authenticated: boolean
  /** Same shape as GET /api/v1/me (permissions, csrf_token) when authenticated. */
  user?: Me
  csrf_token?: string
}

export interface LoginResponse {
  user: User
  csrf_token: string
  expires_at: string
}

export interface Team {
  id: number
  name: string
  name_zh: string
  description: string
  lead_id: number | null
  active: boolean
  member_ids: number[]
  created_at: string
  updated_at: string
  version: number
}

export interface ApiToken {
  id: number
  name: string
  prefix: string
  created_at: string
  expires_at: string | null
  last_used_at: string | null
  revoked_at: string | null
  active: boolean
  version: number
}

export interface CreatedToken extends ApiToken {
  token: string
}

export interface Page<T> {
  items: T[]
  next_cursor: string | null
}

/**
 * A row in an el-table slot. Element Plus types it as an open record that is not assignable
 * to our interfaces, so slots take it as this and pass it on.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TableRow = any

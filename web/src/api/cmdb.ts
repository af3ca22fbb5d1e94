// CMDB (issue #6; src/api/cmdb_routes.cpp and cmdb_import_routes.cpp on the server): CI types
// with their attribute schemas, configuration items, relations, history, impact analysis,
// export and import.
import { api, ApiError, buildUrl, request } from './client'
import type { Page } from './types'

export const ATTR_KINDS = ['string', 'text', 'integer', 'decimal', 'boolean', 'date', 'enum', 'ip', 'reference'] as const
export type AttrKind = (typeof ATTR_KINDS)[number]

export const CI_STATUSES = ['planned', 'in_use', 'maintenance', 'retired'] as const
export type CiStatus = (typeof CI_STATUSES)[number]

/** '' is "not set". */
export const ENVIRONMENTS = ['prod', 'staging', 'test', 'dev', 'dr'] as const
export type Environment = (typeof ENVIRONMENTS)[number]

export interface EnumOption {
  value: string
  label: string
  label_zh: string
}

/** One attribute of a type's schema (the schema_json form of src/cmdb/schema.h). */
export interface AttributeDef {
  key: string
  name: string
  name_zh: string
  kind: AttrKind
  required: boolean
  unique: boolean
  /** A value of the kind; null: none. */
  default: unknown
  help: string
  help_zh: string
  /** enum only (absent otherwise). */
  options?: EnumOption[]
  /** reference only: the key of the CI type referred to. */
  ref_type?: string
}

export interface CiType {
  id: number
  key: string
  name: string
  name_zh: string
  description: string
  attributes: AttributeDef[]
  builtin: boolean
  active: boolean
  version: number
  created_at: string
  updated_at: string
  ci_count: number
}

export interface CiTypeBody {
  key: string
  name: string
  name_zh: string
  description: string
  attributes: AttributeDef[]
}

export interface CiTypePatch {
  version: number
  name?: string
  name_zh?: string
  description?: string
  attributes?: AttributeDef[]
  active?: boolean
  accept_misfits?: boolean
  dry_run?: boolean
}

/** A CI that does not fit a changed schema, with one line per problem ("attributes.os: required"). */
export interface Misfit {
  ci_id: number
  name: string
  problems: string[]
}

/** PATCH /ci-types/{id}: what it did (or, with dry_run, would do). */
export interface TypeChangeResult {
  type: CiType
  applied: boolean
  checked: number
  misfits: Misfit[]
}

export interface RelationType {
  id: number
  key: string
  name: string
  name_zh: string
  reverse_name: string
  reverse_name_zh: string
  /** A failure of the target impacts the source. */
  propagates: boolean
  builtin: boolean
}

export interface TeamRef {
  id: number
  name: string
  name_zh: string
}

export interface Ci {
  id: number
  /** The type's key. */
  type: string
  type_id: number
  name: string
  status: string
  environment: string
  owner_team_id: number | null
  owner_team: TeamRef | null
  attributes: Record<string, unknown>
  version: number
  created_at: string
  updated_at: string
}

/** A CI as other answers name it. */
export interface CiRef {
  id: number
  name: string
  type: string
  status?: string
  environment?: string
}

export interface CiQuery {
  /** A type key or a comma list of keys. */
  type?: string
  status?: string
  environment?: string
  /** An id or "none". */
  owner_team_id?: string | number
  q?: string
  /** attr.<key> = value (exact), ANDed. */
  attrs?: Record<string, string>
  ids?: string
  sort?: string
  limit?: number
  cursor?: string | null
}

export interface NewCiBody {
  type: string
  name: string
  status?: string
  environment?: string
  owner_team_id?: number | null
  attributes: Record<string, unknown>
}

export interface CiPatch {
  version: number
  name?: string
  status?: string
  environment?: string
  owner_team_id?: number | null
  /** Merged: a value sets, null removes, absent keys stay. */
  attributes?: Record<string, unknown>
}

export interface HistoryChange {
  field: string
  before: unknown
  after: unknown
}

export interface HistoryEntry {
  id: number
  at: string
  /** ci.create, ci.update, ci.relate, ci.unrelate */
  action: string
  actor: { id: number; username: string; display_name: string } | null
  changes: HistoryChange[]
  relation?: { id: number; type: string; to: CiRef } | null
}

export interface CiRelation {
  id: number
  type: string
  /** out: this CI → ci; in: ci → this CI. */
  direction: 'out' | 'in'
  ci: CiRef
}

/** A CI reached by an impact or dependency walk: the path starts at the CI asked about. */
export interface Reached {
  ci: CiRef
  depth: number
  path: number[]
  via: string[]
}

export interface ReachedService {
  id: number
  name: string
  depth: number
  path: number[]
  via: string[]
}

export interface ChainIncident {
  number: string
  title: string
  priority: string
  status: string
  ci_id: number | null
}

export interface ImpactAnswer {
  ci: CiRef
  items: Reached[]
  /** Impact only. */
  business_services?: ReachedService[]
  open_incidents: ChainIncident[]
  scheduled_changes?: ChainIncident[]
}

export interface ImportRejected {
  line: number
  ci: string
  field: string
  message: string
}

export interface ImportChange {
  line: number
  ci: string
  action: 'create' | 'update'
  fields: string[]
}

export interface ImportReport {
  dry_run: boolean
  applied: boolean
  lines: number
  created: number
  updated: number
  unchanged: number
  relations_created: number
  relations_existing: number
  rejected: ImportRejected[]
  changes: ImportChange[]
}

export type ImportFormat = 'csv' | 'json'

export interface ImportOptions {
  format: ImportFormat
  dryRun: boolean
  /** The key attribute (default: name). */
  key?: string
  strict?: boolean
}

/** A ticket as GET /api/v1/tickets?ci_id= lists it (the fields this module shows). */
export interface CiTicket {
  id: number
  number: string
  kind: string
  title: string
  status: string
  priority: string
  created_at: string
  updated_at: string
}

const T = '/api/v1/ci-types'
const C = '/api/v1/cis'
const enc = encodeURIComponent

/** The query parameters of a CI list (or export) for these filters. */
export function ciQueryParams(q: CiQuery): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {
    type: q.type || undefined,
    status: q.status || undefined,
    environment: q.environment || undefined,
    owner_team_id: q.owner_team_id === undefined || q.owner_team_id === '' ? undefined : String(q.owner_team_id),
    q: q.q?.trim() || undefined,
    ids: q.ids || undefined,
    sort: q.sort || undefined,
    limit: q.limit,
    cursor: q.cursor ?? undefined,
  }
  for (const [k, v] of Object.entries(q.attrs ?? {})) if (k && v !== '') out[`attr.${k}`] = v
  return out
}

/** The link of an export (a download, sent with the session cookie). */
export function exportUrl(q: CiQuery, format: ImportFormat, relations = false): string {
  const { limit: _l, cursor: _c, ...rest } = q
  return buildUrl(`${C}/export`, { format, ...ciQueryParams(rest), relations: relations ? 'true' : undefined })
}

export const ciTypesApi = {
  list: (active?: boolean) => api.get<{ items: CiType[] }>(T, { active: active === undefined ? undefined : String(active) }),
  get: (idOrKey: number | string) => api.get<CiType>(`${T}/${enc(String(idOrKey))}`),
  create: (body: CiTypeBody) => api.post<CiType>(T, body),
  /**
   * Changes a type. A schema change that existing CIs do not fit answers 422 with the misfits:
   * that is returned as `{applied: false, misfits}` (type unchanged), not thrown.
   */
  async update(id: number, patch: CiTypePatch, current: CiType): Promise<TypeChangeResult> {
    try {
      return await api.patch<TypeChangeResult>(`${T}/${id}`, patch)
    } catch (e) {
      const data = e instanceof ApiError && e.status === 422 ? (e.data as Partial<TypeChangeResult> | undefined) : undefined
      if (data && Array.isArray(data.misfits)) {
        return { type: current, applied: false, checked: data.checked ?? 0, misfits: data.misfits }
      }
      throw e
    }
  },
  relationTypes: () => api.get<{ items: RelationType[] }>('/api/v1/ci-relation-types'),
}

export const cisApi = {
  list: (q: CiQuery) => api.get<Page<Ci>>(C, ciQueryParams(q)),
  get: (id: number) => api.get<Ci>(`${C}/${id}`),
  create: (body: NewCiBody) => api.post<Ci>(C, body),
  update: (id: number, patch: CiPatch) => api.patch<Ci>(`${C}/${id}`, patch),
  history: (id: number, cursor: string | null, limit = 50) =>
    api.get<Page<HistoryEntry>>(`${C}/${id}/history`, { cursor: cursor ?? undefined, limit }),
  relations: (id: number) => api.get<{ items: CiRelation[] }>(`${C}/${id}/relations`),
  relate: (id: number, type: string, to: number) => api.post<{ id: number }>(`${C}/${id}/relations`, { type, to }),
  unrelate: (id: number, relationId: number) => api.del<void>(`${C}/${id}/relations/${relationId}`),
  impact: (id: number, depth?: number) => api.get<ImpactAnswer>(`${C}/${id}/impact`, { depth }),
  dependencies: (id: number, depth?: number) => api.get<ImpactAnswer>(`${C}/${id}/dependencies`, { depth }),
  /** The tickets linked to the CI (GET /api/v1/tickets?ci_id=). */
  tickets: (id: number, cursor: string | null, limit = 20) =>
    api.get<Page<CiTicket>>('/api/v1/tickets', { ci_id: id, cursor: cursor ?? undefined, limit }),
}

/**
 * Runs an import (or its dry run). The report comes back with 200; a 422 that carries a report
 * (strict mode with rejected lines) is returned too. Fatal errors (bad header) are thrown.
 */
export async function importCis(text: string, opts: ImportOptions): Promise<ImportReport> {
  const contentType = opts.format === 'json' ? 'application/json' : 'text/csv; charset=utf-8'
  try {
    return await request<ImportReport>('POST', '/api/v1/cmdb/import', {
      query: {
        dry_run: opts.dryRun ? 'true' : undefined,
        key: opts.key || undefined,
        strict: opts.strict ? 'true' : undefined,
      },
      raw: { contentType, data: text },
    })
  } catch (e) {
    const data = e instanceof ApiError && e.status === 422 ? (e.data as Partial<ImportReport> | undefined) : undefined
    if (data && Array.isArray(data.rejected) && typeof data.lines === 'number') return data as ImportReport
    throw e
  }
}

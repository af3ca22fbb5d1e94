// The schema editor without Vue: an attribute as an editable row (the default as text), back to
// the API's form (options only for enums, ref_type only for references), whether the schema
// changed, and where a server error such as "attributes[2].options[1].value" belongs.
import type { AttrKind, AttributeDef, EnumOption } from '@/api/cmdb'

export interface AttrRow {
  /** Stable id for v-for (rows move and get deleted). */
  uid: number
  key: string
  name: string
  name_zh: string
  kind: AttrKind
  required: boolean
  unique: boolean
  /** The default as typed; '' = none. Booleans 'true' / 'false'. */
  default: string
  help: string
  help_zh: string
  options: EnumOption[]
  ref_type: string
  /** Added in this editing session (its key can still change). */
  isNew: boolean
}

let nextUid = 1

export function rowFromDef(d: AttributeDef): AttrRow {
  return {
    uid: nextUid++,
    key: d.key,
    name: d.name,
    name_zh: d.name_zh ?? '',
    kind: d.kind,
    required: !!d.required,
    unique: !!d.unique,
    default: d.default === null || d.default === undefined ? '' : String(d.default),
    help: d.help ?? '',
    help_zh: d.help_zh ?? '',
    options: (d.options ?? []).map((o) => ({ ...o })),
    ref_type: d.ref_type ?? '',
    isNew: false,
  }
}

export function newRow(): AttrRow {
  return { ...rowFromDef({ key: '', name: '', name_zh: '', kind: 'string', required: false, unique: false, default: null, help: '', help_zh: '', options: [], ref_type: '' }), isNew: true }
}

/** Kinds that cannot be unique (the server refuses). */
export const NOT_UNIQUE_KINDS: readonly AttrKind[] = ['boolean', 'text']
/** Kinds that cannot have a default. */
export const NO_DEFAULT_KINDS: readonly AttrKind[] = ['reference']

function uniqueOf(r: AttrRow): boolean {
  return NOT_UNIQUE_KINDS.includes(r.kind) ? false : r.unique
}

function defaultOf(r: AttrRow): unknown {
  const s = r.default.trim()
  if (!s || NO_DEFAULT_KINDS.includes(r.kind) || uniqueOf(r)) return null
  switch (r.kind) {
    case 'integer':
      return /^[-+]?\d+$/.test(s) ? Number(s) : s
    case 'boolean':
      return s === 'true' ? true : s === 'false' ? false : s
    default:
      return s
  }
}

/** The API's form of a row. */
export function defFromRow(r: AttrRow): AttributeDef {
  const d: AttributeDef = {
    key: r.key.trim(),
    name: r.name.trim(),
    name_zh: r.name_zh.trim(),
    kind: r.kind,
    required: r.required,
    unique: uniqueOf(r),
    default: defaultOf(r),
    help: r.help.trim(),
    help_zh: r.help_zh.trim(),
  }
  if (r.kind === 'enum') {
    d.options = r.options.map((o) => ({ value: o.value.trim(), label: o.label.trim(), label_zh: o.label_zh.trim() }))
  }
  if (r.kind === 'reference') d.ref_type = r.ref_type
  return d
}

function normal(d: AttributeDef) {
  return {
    key: d.key,
    name: d.name,
    name_zh: d.name_zh ?? '',
    kind: d.kind,
    required: !!d.required,
    unique: !!d.unique,
    default: d.default ?? null,
    help: d.help ?? '',
    help_zh: d.help_zh ?? '',
    options: d.kind === 'enum' ? (d.options ?? []).map((o) => [o.value, o.label || o.value, o.label_zh ?? '']) : [],
    ref_type: d.kind === 'reference' ? d.ref_type ?? '' : '',
  }
}

/** Whether two schemas differ (order included: it is the display order). */
export function schemaChanged(before: AttributeDef[], after: AttributeDef[]): boolean {
  return JSON.stringify(before.map(normal)) !== JSON.stringify(after.map(normal))
}

/** Where an error of the server belongs: a row (0-based) and its field, or the whole schema. */
export interface ErrorPlace {
  row: number | null
  /** key, name, kind, default, options, ref_type, unique, ... ('' for the row as a whole). */
  field: string
}

export function errorPlace(field: string): ErrorPlace {
  const m = /^attributes\[(\d+)\](?:\.([a-z_]+))?/.exec(field)
  if (!m) return { row: null, field }
  return { row: Number(m[1]), field: m[2] ?? '' }
}

/** The browser's checks of a row before sending: i18n keys by field. */
export function rowProblems(r: AttrRow, allKeys: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  const key = r.key.trim()
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(key)) out.key = 'cmdb.schema.badKey'
  else if (allKeys.filter((k) => k === key).length > 1) out.key = 'cmdb.schema.keyTwice'
  if (!r.name.trim()) out.name = 'cmdb.form.required'
  if (r.kind === 'enum') {
    const values = r.options.map((o) => o.value.trim())
    if (values.length === 0 || values.some((v) => !v)) out.options = 'cmdb.schema.needOptions'
    else if (new Set(values).size !== values.length) out.options = 'cmdb.schema.optionTwice'
    else if (r.default.trim() && !values.includes(r.default.trim())) out.default = 'cmdb.form.enum'
  }
  if (r.kind === 'reference' && !r.ref_type) out.ref_type = 'cmdb.form.required'
  return out
}

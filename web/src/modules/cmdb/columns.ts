// Which attribute columns the CI list shows for a type: chosen by the user, remembered per type
// in localStorage (`yw.cmdb.columns.<type key>`), defaulting to the type's first short
// attributes. Keys the schema no longer has are dropped when read.
import type { AttributeDef } from '@/api/cmdb'

export const COLUMNS_STORAGE_PREFIX = 'yw.cmdb.columns.'
export const DEFAULT_COLUMN_COUNT = 3

/** Attributes worth a column by default: not long text, required ones first, in schema order. */
export function defaultColumns(schema: AttributeDef[], n = DEFAULT_COLUMN_COUNT): string[] {
  const short = schema.filter((a) => a.kind !== 'text')
  const required = short.filter((a) => a.required)
  const rest = short.filter((a) => !a.required)
  return [...required, ...rest].slice(0, n).map((a) => a.key)
}

/** The saved choice for a type (in schema order), or the default when none is saved or readable. */
export function loadColumns(storage: Pick<Storage, 'getItem'> | null, typeKey: string, schema: AttributeDef[]): string[] {
  let saved: unknown = null
  try {
    const raw = storage?.getItem(COLUMNS_STORAGE_PREFIX + typeKey)
    saved = raw ? JSON.parse(raw) : null
  } catch {
    saved = null
  }
  if (!Array.isArray(saved)) return defaultColumns(schema)
  const chosen = new Set(saved.filter((k): k is string => typeof k === 'string'))
  return schema.filter((a) => chosen.has(a.key)).map((a) => a.key)
}

export function saveColumns(storage: Pick<Storage, 'setItem'> | null, typeKey: string, keys: string[]): void {
  try {
    storage?.setItem(COLUMNS_STORAGE_PREFIX + typeKey, JSON.stringify(keys))
  } catch {
    // Storage full or disabled: the choice lasts for this page only.
  }
}

/** The browser's localStorage, or null where it cannot be used. */
export function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

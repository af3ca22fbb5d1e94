// i18n keys of the CMDB's fixed values (statuses, environments, attribute kinds, history
// actions) and the names of types, attributes and relation types in the UI language.
import type { AttributeDef, CiType, EnumOption, RelationType } from '@/api/cmdb'

export const STATUS_KEYS: Record<string, string> = {
  planned: 'cmdb.status.planned',
  in_use: 'cmdb.status.in_use',
  maintenance: 'cmdb.status.maintenance',
  retired: 'cmdb.status.retired',
}

/** el-tag type per status. */
export const STATUS_TAG: Record<string, 'primary' | 'success' | 'warning' | 'info' | 'danger'> = {
  planned: 'primary',
  in_use: 'success',
  maintenance: 'warning',
  retired: 'info',
}

export const ENV_KEYS: Record<string, string> = {
  prod: 'cmdb.env.prod',
  staging: 'cmdb.env.staging',
  test: 'cmdb.env.test',
  dev: 'cmdb.env.dev',
  dr: 'cmdb.env.dr',
}

export const KIND_KEYS: Record<string, string> = {
  string: 'cmdb.kind.string',
  text: 'cmdb.kind.text',
  integer: 'cmdb.kind.integer',
  decimal: 'cmdb.kind.decimal',
  boolean: 'cmdb.kind.boolean',
  date: 'cmdb.kind.date',
  enum: 'cmdb.kind.enum',
  ip: 'cmdb.kind.ip',
  reference: 'cmdb.kind.reference',
}

export const ACTION_KEYS: Record<string, string> = {
  'ci.create': 'cmdb.history.create',
  'ci.update': 'cmdb.history.update',
  'ci.relate': 'cmdb.history.relate',
  'ci.unrelate': 'cmdb.history.unrelate',
}

/** Fields of a CI outside its attributes, as history names them. */
export const FIELD_KEYS: Record<string, string> = {
  name: 'cmdb.field.name',
  status: 'cmdb.field.status',
  environment: 'cmdb.field.environment',
  owner_team_id: 'cmdb.field.owner_team',
  type: 'cmdb.field.type',
}

type T = (key: string) => string

/** The label of a key from a table, or the value itself when unknown. */
export function labelOf(t: T, table: Record<string, string>, value: string): string {
  const k = table[value]
  return k ? t(k) : value
}

const zh = (locale: string) => locale === 'zh-CN'

export function typeName(type: Pick<CiType, 'name' | 'name_zh' | 'key'> | undefined | null, locale: string, fallback = ''): string {
  if (!type) return fallback
  return (zh(locale) && type.name_zh) || type.name || type.key
}

export function attrName(a: Pick<AttributeDef, 'name' | 'name_zh' | 'key'>, locale: string): string {
  return (zh(locale) && a.name_zh) || a.name || a.key
}

export function attrHelp(a: Pick<AttributeDef, 'help' | 'help_zh'>, locale: string): string {
  return (zh(locale) && a.help_zh) || a.help || ''
}

export function optionLabel(o: EnumOption, locale: string): string {
  return (zh(locale) && o.label_zh) || o.label || o.value
}

/**
 * The name of a relation as seen from one end: "depends on" for the source (direction out),
 * "is depended on by" for the target (direction in).
 */
export function relationName(rt: RelationType | undefined, key: string, direction: 'out' | 'in', locale: string): string {
  if (!rt) return key
  if (direction === 'out') return (zh(locale) && rt.name_zh) || rt.name || key
  return (zh(locale) && rt.reverse_name_zh) || rt.reverse_name || key
}

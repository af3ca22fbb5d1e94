// A CI type's schema as a form: the form value of each attribute kind, defaults on creation,
// the checks the browser makes before sending (the server checks again and names the field),
// the `attributes` object of a create or a PATCH (only what changed; null clears), and the
// text of a stored value in the UI language.
import type { AttributeDef } from '@/api/cmdb'
import { optionLabel } from './labels'

/**
 * The form value of an attribute: text for string, text, ip, date, enum, integer and decimal
 * ('' = no value; numbers stay text so "1234.50" is sent as typed), true/false/null for a
 * boolean, a CI id or null for a reference.
 */
export type FormValue = string | boolean | number | null

export type AttrValues = Record<string, FormValue>

export function emptyValue(def: AttributeDef): FormValue {
  if (def.kind === 'boolean' || def.kind === 'reference') return null
  return ''
}

/** A stored (API) value as the form holds it. */
export function formValueOf(def: AttributeDef, v: unknown): FormValue {
  if (v === null || v === undefined) return emptyValue(def)
  switch (def.kind) {
    case 'boolean':
      return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : null
    case 'reference': {
      const n = Number(v)
      return Number.isInteger(n) && n > 0 ? n : null
    }
    default:
      return typeof v === 'string' ? v : String(v)
  }
}

/** The form of a CI's attributes: its values, or the type's defaults for a new CI (`values` null). */
export function initialValues(schema: AttributeDef[], values: Record<string, unknown> | null): AttrValues {
  const out: AttrValues = {}
  for (const def of schema) out[def.key] = formValueOf(def, values ? values[def.key] : def.default)
  return out
}

export function isEmpty(v: FormValue): boolean {
  return v === null || v === ''
}

/** The value to send for a form value (null: none). */
export function apiValueOf(def: AttributeDef, v: FormValue): unknown {
  if (isEmpty(v)) return null
  switch (def.kind) {
    case 'integer':
      return Number(String(v).trim())
    case 'boolean':
      return v === true
    case 'reference':
      return Number(v)
    default:
      return String(v).trim()
  }
}

const INTEGER = /^[-+]?\d{1,18}$/
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(\/(3[0-2]|[12]?\d))?$/
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(\/(12[0-8]|1[01]\d|\d\d?))?$/

function validDate(s: string): boolean {
  const m = DATE.exec(s)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

/**
 * The i18n key of what is wrong with a value ('' when fine): the browser's checks before
 * sending, same rules as the server's.
 */
export function problemOf(def: AttributeDef, v: FormValue): string {
  if (isEmpty(v)) return def.required ? 'cmdb.form.required' : ''
  const s = typeof v === 'string' ? v.trim() : v
  switch (def.kind) {
    case 'integer':
      return INTEGER.test(String(s)) ? '' : 'cmdb.form.integer'
    case 'decimal':
      return DECIMAL.test(String(s)) ? '' : 'cmdb.form.decimal'
    case 'date':
      return validDate(String(s)) ? '' : 'cmdb.form.date'
    case 'ip':
      return IPV4.test(String(s)) || IPV6.test(String(s)) ? '' : 'cmdb.form.ip'
    case 'enum':
      return (def.options ?? []).some((o) => o.value === s) ? '' : 'cmdb.form.enum'
    default:
      return ''
  }
}

function sameValue(def: AttributeDef, a: FormValue, b: FormValue): boolean {
  if (isEmpty(a) && isEmpty(b)) return true
  return JSON.stringify(apiValueOf(def, a)) === JSON.stringify(apiValueOf(def, b))
}

/**
 * The `attributes` to send. Creating (`before` null): every value given. Editing: the values
 * that changed, null for the ones cleared; attributes no longer in the schema are left alone.
 */
export function attributesBody(schema: AttributeDef[], values: AttrValues, before: AttrValues | null): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const def of schema) {
    const v = values[def.key] ?? emptyValue(def)
    if (before === null) {
      if (!isEmpty(v)) out[def.key] = apiValueOf(def, v)
    } else if (!sameValue(def, v, before[def.key] ?? emptyValue(def))) {
      out[def.key] = apiValueOf(def, v)
    }
  }
  return out
}

/** The attribute key an error field names ("attributes.os" → "os"), else ''. */
export function attrOfField(field: string): string {
  const m = /^attributes\.([a-z][a-z0-9_]*)/.exec(field)
  return m ? m[1] : ''
}

type T = (key: string) => string

/**
 * A stored value as text in the UI language: the label of an enum option, yes/no, the rest as
 * stored. References are ids here (`#12`); the pages show the CI's name where they know it.
 */
export function displayValue(def: AttributeDef | undefined, v: unknown, locale: string, t: T): string {
  if (v === null || v === undefined || v === '') return ''
  if (!def) return typeof v === 'object' ? JSON.stringify(v) : String(v)
  switch (def.kind) {
    case 'boolean':
      return v === true ? t('cmdb.yes') : v === false ? t('cmdb.no') : String(v)
    case 'enum': {
      const o = (def.options ?? []).find((x) => x.value === v)
      return o ? optionLabel(o, locale) : String(v)
    }
    case 'reference':
      return `#${v}`
    default:
      return String(v)
  }
}

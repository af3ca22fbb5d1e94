// The import page without Vue: which format a file is, the CSV columns of a type (the help
// block's template), the key attributes one can match on, and a report in a few numbers.
import type { AttributeDef, CiType, ImportFormat, ImportReport } from '@/api/cmdb'

/** JSON when the file is named .json or its text starts with `{`; CSV otherwise. */
export function detectFormat(fileName: string, text: string): ImportFormat {
  if (/\.json$/i.test(fileName)) return 'json'
  if (/\.(csv|txt)$/i.test(fileName)) return 'csv'
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'json' : 'csv'
}

/** The fixed CSV columns, in the order the template uses. */
export const BASE_COLUMNS = ['type', 'name', 'status', 'environment', 'owner_team'] as const

/** The columns of a CSV for a type: the fixed ones, its attributes, then the relations given. */
export function csvColumns(type: Pick<CiType, 'attributes'>, relationKeys: string[] = []): string[] {
  return [...BASE_COLUMNS, ...type.attributes.map((a) => `attributes.${a.key}`), ...relationKeys.map((k) => `relations.${k}`)]
}

/** A CSV cell: quoted when it holds a comma, a quote or a line break. */
export function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** A plausible value of an attribute for the template line ('' when there is nothing to show). */
export function exampleValue(def: AttributeDef): string {
  if (def.default !== null && def.default !== undefined && def.default !== '') return String(def.default)
  switch (def.kind) {
    case 'integer':
      return '8'
    case 'decimal':
      return '12000.50'
    case 'boolean':
      return 'true'
    case 'date':
      return '2027-12-31'
    case 'enum':
      return def.options?.[0]?.value ?? ''
    case 'ip':
      return '10.10.1.21'
    default:
      return ''
  }
}

/** A template for a type: the header and one example line. */
export function csvTemplate(type: Pick<CiType, 'key' | 'attributes'>, exampleName: string, relation?: { key: string; target: string }): string {
  const header = csvColumns(type, relation ? [relation.key] : [])
  const line = [type.key, exampleName, 'in_use', 'prod', '', ...type.attributes.map(exampleValue)]
  if (relation) line.push(relation.target)
  return `${header.map(csvCell).join(',')}\n${line.map(csvCell).join(',')}\n`
}

/**
 * The attributes a line can be matched on (`key=`): "name", then every attribute key that is
 * unique in at least one type (hostname, serial_number, ...), once each.
 */
export function keyChoices(types: Pick<CiType, 'attributes'>[]): string[] {
  const out = ['name']
  for (const t of types) for (const a of t.attributes) if (a.unique && !out.includes(a.key)) out.push(a.key)
  return out
}

/** Whether a report would change anything (lines created, updated, or relations added). */
export function reportChanges(r: ImportReport): number {
  return r.created + r.updated + r.relations_created
}

/** The CI names an applied import touched ("server:sh-web-01" → "sh-web-01"), by type key. */
export function importedNames(r: ImportReport): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const c of r.changes) {
    const i = c.ci.indexOf(':')
    if (i < 0) continue
    const type = c.ci.slice(0, i)
    const list = out.get(type) ?? []
    list.push(c.ci.slice(i + 1))
    out.set(type, list)
  }
  return out
}

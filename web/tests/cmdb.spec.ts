// The CMDB pages' models (modules/cmdb/*.ts): a type's schema as a form (values, defaults,
// checks, the attributes of a create or a PATCH, display text), the remembered list columns,
// the relation graph (merging expanded neighbours, impact paths and their highlighting, the
// ECharts option), the import help and report helpers, the schema editor's rows; and the API
// calls with their 422 answers (type misfits, strict import).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ciTypesApi, exportUrl, importCis, type AttributeDef, type CiRelation, type CiType, type ImpactAnswer, type ImportReport } from '../src/api/cmdb'
import { i18n } from '../src/i18n'
import {
  apiValueOf, attrOfField, attributesBody, displayValue, formValueOf, initialValues, problemOf,
} from '../src/modules/cmdb/schemaForm'
import { COLUMNS_STORAGE_PREFIX, defaultColumns, loadColumns, saveColumns } from '../src/modules/cmdb/columns'
import {
  HIGHLIGHT_COLOR, chartOption, edgeKey, impactHighlight, impactPathEdges, mergeImpactPaths, mergeRelations, newGraph, pathText, typeStyle,
} from '../src/modules/cmdb/graphModel'
import { csvCell, csvColumns, csvTemplate, detectFormat, importedNames, keyChoices, reportChanges } from '../src/modules/cmdb/importModel'
import { defFromRow, errorPlace, newRow, rowFromDef, rowProblems, schemaChanged } from '../src/modules/cmdb/typeModel'
import { relationName, typeName } from '../src/modules/cmdb/labels'
import { mockFetch } from './helpers'

const t = (key: string) => i18n.global.t(key)

function attr(over: Partial<AttributeDef>): AttributeDef {
  return { key: 'x', name: 'X', name_zh: '', kind: 'string', required: false, unique: false, default: null, help: '', help_zh: '', ...over }
}

const serverSchema: AttributeDef[] = [
  attr({ key: 'hostname', name: 'Hostname', name_zh: '主机名', required: true, unique: true }),
  attr({ key: 'ip', name: 'IP address', name_zh: 'IP 地址', kind: 'ip' }),
  attr({ key: 'notes', name: 'Notes', name_zh: '备注', kind: 'text' }),
  attr({ key: 'cpu_cores', name: 'CPU cores', name_zh: 'CPU 核数', kind: 'integer' }),
  attr({ key: 'purchase_cost', name: 'Purchase cost', kind: 'decimal' }),
  attr({ key: 'virtual', name: 'Virtual', kind: 'boolean' }),
  attr({ key: 'contract_end', name: 'Contract end', kind: 'date' }),
  attr({
    key: 'criticality', name: 'Criticality', name_zh: '重要程度', kind: 'enum', default: 'medium',
    options: [{ value: 'high', label: 'High', label_zh: '高' }, { value: 'medium', label: 'Medium', label_zh: '中' }],
  }),
  attr({ key: 'location', name: 'Location', name_zh: '位置', kind: 'reference', ref_type: 'location' }),
]
const def = (key: string) => serverSchema.find((a) => a.key === key)!

function type(over: Partial<CiType> = {}): CiType {
  return {
    id: 5, key: 'server', name: 'Server', name_zh: '服务器', description: '', attributes: serverSchema, builtin: true, active: true,
    version: 3, created_at: '', updated_at: '', ci_count: 2, ...over,
  }
}

afterEach(() => {
  vi.unstubAllGlobals()
  i18n.global.locale.value = 'en'
})

describe('schema as a form', () => {
  it('starts a new CI from the defaults and an existing one from its values', () => {
    const fresh = initialValues(serverSchema, null)
    expect(fresh).toMatchObject({ hostname: '', ip: '', criticality: 'medium', virtual: null, location: null, cpu_cores: '' })
    const existing = initialValues(serverSchema, { hostname: 'sh-web-01', cpu_cores: 8, purchase_cost: '12000.5', virtual: false, location: 7 })
    expect(existing).toMatchObject({ hostname: 'sh-web-01', cpu_cores: '8', purchase_cost: '12000.5', virtual: false, location: 7, criticality: '' })
    expect(formValueOf(def('location'), 'x')).toBeNull()
  })

  it('checks values like the server before sending', () => {
    expect(problemOf(def('hostname'), '')).toBe('cmdb.form.required')
    expect(problemOf(def('ip'), '')).toBe('')
    expect(problemOf(def('ip'), '10.0.0.300')).toBe('cmdb.form.ip')
    expect(problemOf(def('ip'), '10.10.1.0/24')).toBe('')
    expect(problemOf(def('ip'), 'fe80::1')).toBe('')
    expect(problemOf(def('cpu_cores'), '8.5')).toBe('cmdb.form.integer')
    expect(problemOf(def('purchase_cost'), '1234.50')).toBe('')
    expect(problemOf(def('purchase_cost'), '12,000')).toBe('cmdb.form.decimal')
    expect(problemOf(def('contract_end'), '2026-02-30')).toBe('cmdb.form.date')
    expect(problemOf(def('contract_end'), '2026-02-28')).toBe('')
    expect(problemOf(def('criticality'), 'urgent')).toBe('cmdb.form.enum')
  })

  it('sends every value on create, and on edit only what changed (null clears)', () => {
    const values = { ...initialValues(serverSchema, null), hostname: ' sh-web-01 ', cpu_cores: '16', virtual: true, location: 7 }
    expect(attributesBody(serverSchema, values, null)).toEqual({ hostname: 'sh-web-01', cpu_cores: 16, virtual: true, location: 7, criticality: 'medium' })
    const before = initialValues(serverSchema, { hostname: 'sh-web-01', ip: '10.0.0.1', cpu_cores: 8, criticality: 'high' })
    const after = { ...before, ip: '', cpu_cores: '8', criticality: 'medium', purchase_cost: '99.90' }
    expect(attributesBody(serverSchema, after, before)).toEqual({ ip: null, criticality: 'medium', purchase_cost: '99.90' })
    expect(apiValueOf(def('location'), null)).toBeNull()
  })

  it('names the attribute of an error field and shows values in the UI language', () => {
    expect(attrOfField('attributes.ip')).toBe('ip')
    expect(attrOfField('name')).toBe('')
    expect(displayValue(def('criticality'), 'high', 'en', t)).toBe('High')
    expect(displayValue(def('criticality'), 'high', 'zh-CN', t)).toBe('高')
    expect(displayValue(def('virtual'), true, 'en', t)).toBe('Yes')
    expect(displayValue(def('location'), 7, 'en', t)).toBe('#7')
    expect(displayValue(undefined, { a: 1 }, 'en', t)).toBe('{"a":1}')
    expect(typeName(type(), 'zh-CN')).toBe('服务器')
    expect(typeName(type({ name_zh: '' }), 'zh-CN')).toBe('Server')
  })
})

describe('list columns', () => {
  function memory() {
    const m = new Map<string, string>()
    return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m }
  }

  it('defaults to the first short attributes, required ones first', () => {
    expect(defaultColumns(serverSchema)).toEqual(['hostname', 'ip', 'cpu_cores'])
  })

  it('remembers the choice per type, in schema order, dropping keys the schema lost', () => {
    const s = memory()
    expect(loadColumns(s, 'server', serverSchema)).toEqual(defaultColumns(serverSchema))
    saveColumns(s, 'server', ['criticality', 'ip', 'gone'])
    expect(s.m.get(`${COLUMNS_STORAGE_PREFIX}server`)).toBe('["criticality","ip","gone"]')
    expect(loadColumns(s, 'server', serverSchema)).toEqual(['ip', 'criticality'])
    expect(loadColumns(s, 'database', serverSchema)).toEqual(defaultColumns(serverSchema))
    s.m.set(`${COLUMNS_STORAGE_PREFIX}server`, '{broken')
    expect(loadColumns(s, 'server', serverSchema)).toEqual(defaultColumns(serverSchema))
    saveColumns(s, 'server', [])
    expect(loadColumns(s, 'server', serverSchema)).toEqual([])
  })
})

describe('relation graph', () => {
  const server = { id: 1, name: 'sh-web-01', type: 'server', status: 'in_use' }
  const rels = (center: number, list: [number, string, 'out' | 'in', string, string][]): CiRelation[] =>
    list.map(([id, relType, direction, name, ciType], i) => ({ id: center * 100 + i, type: relType, direction, ci: { id, name, type: ciType } }))

  it('merges expanded neighbours once, edges directed as stored', () => {
    let g = newGraph(server)
    g = mergeRelations(g, 1, rels(1, [[2, 'runs_on', 'in', 'erp-app', 'application'], [9, 'hosted_on', 'out', 'rack-a1', 'location']]))
    expect([...g.nodes.keys()]).toEqual([1, 2, 9])
    expect(g.nodes.get(1)!.expanded).toBe(true)
    expect(g.nodes.get(2)!.expanded).toBe(false)
    expect([...g.edges.keys()]).toEqual([edgeKey(2, 1, 'runs_on'), edgeKey(1, 9, 'hosted_on')])
    // Expanding the application adds its service; the edge back to the server is not doubled.
    const before = g
    g = mergeRelations(g, 2, rels(2, [[1, 'runs_on', 'out', 'sh-web-01', 'server'], [3, 'depends_on', 'in', '网上银行', 'business_service']]))
    expect(g.nodes.size).toBe(4)
    expect(g.edges.size).toBe(3)
    expect(g.edges.get(edgeKey(3, 2, 'depends_on'))).toMatchObject({ source: 3, target: 2 })
    expect(before.nodes.size).toBe(3)
  })

  const impact: ImpactAnswer = {
    ci: server,
    items: [
      { ci: { id: 2, name: 'erp-app', type: 'application', status: 'in_use' }, depth: 1, path: [1, 2], via: ['runs_on'] },
      { ci: { id: 3, name: '网上银行', type: 'business_service' }, depth: 2, path: [1, 2, 3], via: ['runs_on', 'depends_on'] },
      { ci: { id: 4, name: 'db-erp', type: 'database' }, depth: 1, path: [1, 4], via: ['runs_on'] },
    ],
    business_services: [{ id: 3, name: '网上银行', depth: 2, path: [1, 2, 3], via: ['runs_on', 'depends_on'] }],
    open_incidents: [],
  }

  it('follows impact paths backwards along the relations and highlights only the paths to services', () => {
    expect(impactPathEdges([1, 2, 3], ['runs_on', 'depends_on']).map((e) => e.key)).toEqual([edgeKey(2, 1, 'runs_on'), edgeKey(3, 2, 'depends_on')])
    const h = impactHighlight(impact)
    expect([...h.nodes].sort()).toEqual([1, 2, 3])
    expect([...h.services]).toEqual([3])
    expect(h.edges.has(edgeKey(3, 2, 'depends_on'))).toBe(true)
    expect(pathText([1, 2, 3], new Map([[1, { name: 'sh-web-01' }], [2, { name: 'erp-app' }]]))).toBe('sh-web-01 → erp-app → #3')
  })

  it('adds the CIs on impact paths that the graph does not show yet', () => {
    const g = mergeImpactPaths(newGraph(server), impact)
    expect([...g.nodes.values()].map((n) => n.name)).toEqual(['sh-web-01', 'erp-app', '网上银行'])
    expect(g.nodes.get(3)!.type).toBe('business_service')
    expect(g.edges.size).toBe(2)
    expect(g.nodes.has(4)).toBe(false)
  })

  it('builds the ECharts option: a category per type, the CI bigger, paths red, the rest faded', () => {
    let g = mergeRelations(newGraph(server), 1, rels(1, [[2, 'runs_on', 'in', 'erp-app', 'application'], [4, 'runs_on', 'in', 'db-erp', 'database']]))
    g = mergeImpactPaths(g, impact)
    const labels = { typeLabel: (k: string) => `T:${k}`, relationLabel: (k: string) => `R:${k}` }
    const plain = chartOption(g, null, labels)
    const series = plain.series[0]
    expect(series.categories.map((c) => c.name)).toEqual(['T:application', 'T:business_service', 'T:database', 'T:server'])
    const root = series.data.find((n) => n.id === '1')!
    expect(root.symbolSize).toBeGreaterThan(series.data.find((n) => n.id === '2')!.symbolSize)
    expect(root.symbol).toBe(typeStyle('server').symbol)
    expect(series.links.every((l) => l.lineStyle.color !== HIGHLIGHT_COLOR)).toBe(true)

    const lit = chartOption(g, impactHighlight(impact), labels).series[0]
    const link = (s: number, d: number, ty: string) => lit.links.find((l) => l.id === edgeKey(s, d, ty))!
    expect(link(3, 2, 'depends_on').lineStyle.color).toBe(HIGHLIGHT_COLOR)
    expect(link(3, 2, 'depends_on').label.formatter).toBe('R:depends_on')
    expect(link(4, 1, 'runs_on').lineStyle.opacity).toBeLessThan(0.5)
    expect(lit.data.find((n) => n.id === '4')!.itemStyle.opacity).toBeLessThan(0.5)
    expect(lit.data.find((n) => n.id === '3')!.ci.highlighted).toBe(true)
  })

  it('gives unknown types a stable style and names relations from either end', () => {
    expect(typeStyle('printer')).toEqual(typeStyle('printer'))
    expect(typeStyle('business_service').symbol).toBe('diamond')
    const rt = { id: 1, key: 'depends_on', name: 'depends on', name_zh: '依赖', reverse_name: 'is depended on by', reverse_name_zh: '被依赖', propagates: true, builtin: true }
    expect(relationName(rt, 'depends_on', 'out', 'en')).toBe('depends on')
    expect(relationName(rt, 'depends_on', 'in', 'zh-CN')).toBe('被依赖')
    expect(relationName(undefined, 'custom', 'in', 'en')).toBe('custom')
  })
})

describe('import help and report', () => {
  it('tells CSV from JSON by name or first character', () => {
    expect(detectFormat('cis.json', 'type,name')).toBe('json')
    expect(detectFormat('cis.csv', '{')).toBe('csv')
    expect(detectFormat('', '\uFEFF  {"cis":[]}')).toBe('json')
    expect(detectFormat('', 'type,name\n')).toBe('csv')
  })

  it('lists the CSV columns of a type and writes a template that quotes what needs it', () => {
    expect(csvColumns(type(), ['runs_on']).slice(0, 7)).toEqual(['type', 'name', 'status', 'environment', 'owner_team', 'attributes.hostname', 'attributes.ip'])
    expect(csvColumns(type(), ['runs_on']).at(-1)).toBe('relations.runs_on')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    const tpl = csvTemplate(type(), 'sh-web-01', { key: 'runs_on', target: 'virtual_machine:vm-01;virtual_machine:vm-02' })
    const [header, line] = tpl.trim().split('\n')
    expect(header.split(',')).toHaveLength(serverSchema.length + 6)
    expect(line.startsWith('server,sh-web-01,in_use,prod,,,10.10.1.21,,8,12000.50,true,2027-12-31,medium,,')).toBe(true)
    expect(line.endsWith('virtual_machine:vm-01;virtual_machine:vm-02')).toBe(true)
  })

  it('offers name and the unique attributes as keys, and reads a report', () => {
    expect(keyChoices([type(), type({ attributes: [attr({ key: 'serial_number', unique: true }), attr({ key: 'hostname', unique: true })] })])).toEqual(['name', 'hostname', 'serial_number'])
    const r: ImportReport = {
      dry_run: false, applied: true, lines: 3, created: 2, updated: 0, unchanged: 1, relations_created: 1, relations_existing: 0, rejected: [],
      changes: [
        { line: 1, ci: 'server:sh-web-01', action: 'create', fields: [] },
        { line: 2, ci: 'business_service:网上银行', action: 'create', fields: [] },
        { line: 3, ci: 'server:sh-web-02', action: 'update', fields: ['attributes.ip'] },
      ],
    }
    expect(reportChanges(r)).toBe(3)
    expect([...importedNames(r)]).toEqual([['server', ['sh-web-01', 'sh-web-02']], ['business_service', ['网上银行']]])
  })
})

describe('schema editor rows', () => {
  it('round-trips a definition and sends options / ref_type only for their kinds', () => {
    const crit = def('criticality')
    expect(defFromRow(rowFromDef(crit))).toEqual(crit)
    const loc = def('location')
    expect(defFromRow(rowFromDef(loc))).toEqual(loc)
    const r = rowFromDef(crit)
    r.kind = 'string'
    expect(defFromRow(r)).not.toHaveProperty('options')
    const n = rowFromDef(def('cpu_cores'))
    n.default = '4'
    expect(defFromRow(n).default).toBe(4)
    const b = rowFromDef(def('virtual'))
    b.default = 'false'
    b.unique = true
    expect(defFromRow(b)).toMatchObject({ default: false, unique: false })
  })

  it('sees a schema change, including order, but not a normalisation', () => {
    const same = serverSchema.map((d) => defFromRow(rowFromDef(d)))
    expect(schemaChanged(serverSchema, same)).toBe(false)
    expect(schemaChanged(serverSchema, [...same].reverse())).toBe(true)
    expect(schemaChanged(serverSchema, same.map((d) => (d.key === 'ip' ? { ...d, required: true } : d)))).toBe(true)
  })

  it('checks rows and places server errors on their row', () => {
    const r = newRow()
    expect(rowProblems(r, [''])).toEqual({ key: 'cmdb.schema.badKey', name: 'cmdb.form.required' })
    Object.assign(r, { key: 'os', name: 'OS', kind: 'enum', options: [{ value: 'linux', label: '', label_zh: '' }, { value: 'linux', label: '', label_zh: '' }] })
    expect(rowProblems(r, ['os', 'os'])).toEqual({ key: 'cmdb.schema.keyTwice', options: 'cmdb.schema.optionTwice' })
    Object.assign(r, { kind: 'reference', options: [] })
    expect(rowProblems(r, ['os'])).toEqual({ ref_type: 'cmdb.form.required' })
    expect(errorPlace('attributes[2].options[1].value')).toEqual({ row: 2, field: 'options' })
    expect(errorPlace('attributes[0]')).toEqual({ row: 0, field: '' })
    expect(errorPlace('name')).toEqual({ row: null, field: 'name' })
  })
})

describe('CMDB API calls', () => {
  it('returns the misfits of a refused schema change instead of throwing', async () => {
    const misfits = [{ ci_id: 7, name: 'sh-web-01', problems: ['attributes.os: required'] }]
    const calls = mockFetch(() => ({ status: 422, body: { error: { code: 'unprocessable', message: 'CIs do not fit', field: 'attributes' }, checked: 12, misfits } }))
    const current = type()
    const r = await ciTypesApi.update(5, { version: 3, attributes: serverSchema }, current)
    expect(r).toEqual({ type: current, applied: false, checked: 12, misfits })
    expect(calls[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/ci-types/5' })
  })

  it('sends an import as raw text with its options and keeps a strict 422 report', async () => {
    const report = { dry_run: false, applied: false, lines: 2, created: 0, updated: 0, unchanged: 0, relations_created: 0, relations_existing: 0, rejected: [{ line: 2, ci: 'server:x', field: 'attributes.ip', message: 'bad' }], changes: [] }
    const seen: { url: string; type: string; body: string }[] = []
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      seen.push({ url, type: (init.headers as Record<string, string>)['Content-Type'], body: String(init.body) })
      return new Response(JSON.stringify(report), { status: 422, headers: { 'Content-Type': 'application/json' } })
    })
    const r = await importCis('type,name\nserver,x\n', { format: 'csv', dryRun: true, key: 'hostname', strict: true })
    expect(r.rejected).toHaveLength(1)
    expect(seen[0].url).toBe('/api/v1/cmdb/import?dry_run=true&key=hostname&strict=true')
    expect(seen[0].type).toBe('text/csv; charset=utf-8')
    expect(seen[0].body).toBe('type,name\nserver,x\n')
  })

  it('builds export links with the list filters', () => {
    expect(exportUrl({ type: 'server', q: ' 10.0.0.1 ', environment: 'prod', attrs: { os: 'CentOS 7' }, cursor: 'abc', limit: 20 }, 'csv'))
      .toBe('/api/v1/cis/export?format=csv&type=server&environment=prod&q=10.0.0.1&attr.os=CentOS+7')
  })
})

// The relation graph of the CI page, without ECharts: the nodes and edges seen so far (the CI,
// then the neighbours of every node the user expanded), the impact paths to business services
// to highlight, a symbol and colour per CI type, and the ECharts `graph` series option built
// from all that. Edges are directed as stored: "A depends_on B" is A → B.
import type { CiRef, CiRelation, ImpactAnswer } from '@/api/cmdb'

export interface GraphNode {
  id: number
  name: string
  type: string
  status?: string
  /** Its neighbours were fetched. */
  expanded: boolean
}

export interface GraphEdge {
  key: string
  source: number
  target: number
  /** Relation type key. */
  type: string
}

export interface GraphState {
  rootId: number
  nodes: Map<number, GraphNode>
  edges: Map<string, GraphEdge>
}

export function edgeKey(source: number, target: number, type: string): string {
  return `${source}>${target}:${type}`
}

export function newGraph(root: CiRef): GraphState {
  return {
    rootId: root.id,
    nodes: new Map([[root.id, { id: root.id, name: root.name, type: root.type, status: root.status, expanded: false }]]),
    edges: new Map(),
  }
}

function addNode(nodes: Map<number, GraphNode>, ci: CiRef): void {
  const old = nodes.get(ci.id)
  if (old) {
    if (!old.name && ci.name) nodes.set(ci.id, { ...old, name: ci.name, type: ci.type || old.type })
    return
  }
  nodes.set(ci.id, { id: ci.id, name: ci.name, type: ci.type, status: ci.status, expanded: false })
}

/**
 * The graph with the relations of `centerId` merged in (a new state; the old one is left as it
 * was): its neighbours become nodes, each relation an edge once, and the centre is expanded.
 */
export function mergeRelations(g: GraphState, centerId: number, relations: CiRelation[]): GraphState {
  const nodes = new Map(g.nodes)
  const edges = new Map(g.edges)
  for (const r of relations) {
    addNode(nodes, r.ci)
    const [source, target] = r.direction === 'out' ? [centerId, r.ci.id] : [r.ci.id, centerId]
    const key = edgeKey(source, target, r.type)
    if (!edges.has(key)) edges.set(key, { key, source, target, type: r.type })
  }
  const center = nodes.get(centerId)
  if (center) nodes.set(centerId, { ...center, expanded: true })
  return { rootId: g.rootId, nodes, edges }
}

/** Names and types of every CI an impact answer mentions. */
export function impactCis(answer: ImpactAnswer): Map<number, CiRef> {
  const out = new Map<number, CiRef>()
  out.set(answer.ci.id, answer.ci)
  for (const it of answer.items) out.set(it.ci.id, it.ci)
  for (const s of answer.business_services ?? []) {
    if (!out.has(s.id)) out.set(s.id, { id: s.id, name: s.name, type: 'business_service' })
  }
  return out
}

/**
 * The edges of an impact path. The path starts at the failing CI; each next CI relies on the
 * one before through `via[i]` ("path[i+1] depends_on path[i]"), so the edge goes backwards.
 */
export function impactPathEdges(path: number[], via: string[]): GraphEdge[] {
  const out: GraphEdge[] = []
  for (let i = 0; i + 1 < path.length; i++) {
    const type = via[i] ?? ''
    out.push({ key: edgeKey(path[i + 1], path[i], type), source: path[i + 1], target: path[i], type })
  }
  return out
}

export interface Highlight {
  /** CIs on a path from the CI to a business service. */
  nodes: Set<number>
  edges: Set<string>
  /** The business services reached. */
  services: Set<number>
}

/** What "Show impact" colours: the paths to the business services the CI's failure reaches. */
export function impactHighlight(answer: ImpactAnswer): Highlight {
  const h: Highlight = { nodes: new Set([answer.ci.id]), edges: new Set(), services: new Set() }
  for (const s of answer.business_services ?? []) {
    h.services.add(s.id)
    for (const id of s.path) h.nodes.add(id)
    for (const e of impactPathEdges(s.path, s.via)) h.edges.add(e.key)
  }
  return h
}

/** The graph with every CI and edge on the impact paths to business services added. */
export function mergeImpactPaths(g: GraphState, answer: ImpactAnswer): GraphState {
  const cis = impactCis(answer)
  const nodes = new Map(g.nodes)
  const edges = new Map(g.edges)
  for (const s of answer.business_services ?? []) {
    for (const id of s.path) addNode(nodes, cis.get(id) ?? { id, name: `#${id}`, type: '' })
    for (const e of impactPathEdges(s.path, s.via)) if (!edges.has(e.key)) edges.set(e.key, e)
  }
  return { rootId: g.rootId, nodes, edges }
}

/** "A → B → C": a path of CI ids with their names (`#id` when unknown). */
export function pathText(path: number[], names: Map<number, { name: string }>, arrow = ' → '): string {
  return path.map((id) => names.get(id)?.name ?? `#${id}`).join(arrow)
}

/** Symbol and colour of the shipped types; other types get one from a palette by their key. */
const TYPE_STYLES: Record<string, { symbol: string; color: string }> = {
  business_service: { symbol: 'diamond', color: '#d4380d' },
  application: { symbol: 'roundRect', color: '#2f6fed' },
  database: { symbol: 'circle', color: '#13a8a8' },
  middleware: { symbol: 'triangle', color: '#722ed1' },
  server: { symbol: 'rect', color: '#389e0d' },
  virtual_machine: { symbol: 'circle', color: '#52c41a' },
  container_cluster: { symbol: 'roundRect', color: '#08979c' },
  storage: { symbol: 'rect', color: '#ad6800' },
  network_device: { symbol: 'triangle', color: '#1d39c4' },
  load_balancer: { symbol: 'diamond', color: '#c41d7f' },
  ip_subnet: { symbol: 'pin', color: '#5b8c00' },
  location: { symbol: 'pin', color: '#8c8c8c' },
}
const PALETTE = ['#2f6fed', '#13a8a8', '#722ed1', '#389e0d', '#ad6800', '#c41d7f', '#1d39c4', '#d48806']
const SYMBOLS = ['circle', 'rect', 'roundRect', 'triangle', 'diamond']

export function typeStyle(typeKey: string): { symbol: string; color: string } {
  const known = TYPE_STYLES[typeKey]
  if (known) return known
  let h = 0
  for (const ch of typeKey) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return { symbol: SYMBOLS[h % SYMBOLS.length], color: PALETTE[h % PALETTE.length] }
}

export const HIGHLIGHT_COLOR = '#f5222d'
const DIM_OPACITY = 0.25

export interface ChartLabels {
  typeLabel: (key: string) => string
  relationLabel: (key: string) => string
}

/** The types of the graph's nodes, in a stable order (legend and categories). */
export function graphTypes(g: GraphState): string[] {
  return [...new Set([...g.nodes.values()].map((n) => n.type))].sort()
}

/**
 * The ECharts option: one `graph` series with a force layout, a category per CI type (its
 * symbol and colour; the page draws the legend), the CI bigger, expandable nodes with a dashed
 * border; with a highlight, the impact paths in red and everything else faded.
 */
export function chartOption(g: GraphState, highlight: Highlight | null, labels: ChartLabels) {
  const types = graphTypes(g)
  const categoryOf = new Map(types.map((t, i) => [t, i]))
  const nodes = [...g.nodes.values()].map((n) => {
    const style = typeStyle(n.type)
    const on = highlight ? highlight.nodes.has(n.id) : true
    const service = highlight?.services.has(n.id) ?? false
    return {
      id: String(n.id),
      name: n.name,
      category: categoryOf.get(n.type) ?? 0,
      symbol: style.symbol,
      symbolSize: n.id === g.rootId ? 44 : service ? 36 : 26,
      value: n.id,
      itemStyle: {
        color: style.color,
        opacity: on ? 1 : DIM_OPACITY,
        borderColor: highlight && on && n.id !== g.rootId ? HIGHLIGHT_COLOR : n.expanded ? '#fff' : '#c0c4cc',
        borderWidth: highlight && on ? 3 : n.expanded ? 2 : 1,
        borderType: n.expanded || (highlight && on) ? 'solid' : 'dashed',
      },
      label: { show: true, position: 'bottom', opacity: on ? 1 : 0.45, fontWeight: n.id === g.rootId ? 'bold' : 'normal' },
      // Read by tests and the tooltip.
      ci: { id: n.id, type: n.type, expanded: n.expanded, highlighted: !!highlight && on },
    }
  })
  const links = [...g.edges.values()].map((e) => {
    const on = highlight ? highlight.edges.has(e.key) : false
    return {
      id: e.key,
      source: String(e.source),
      target: String(e.target),
      value: labels.relationLabel(e.type),
      relation: e.type,
      lineStyle: {
        color: on ? HIGHLIGHT_COLOR : '#a8b1c2',
        width: on ? 3 : 1.5,
        opacity: highlight && !on ? DIM_OPACITY : 0.9,
        curveness: 0.08,
      },
      label: { show: on, formatter: labels.relationLabel(e.type), color: HIGHLIGHT_COLOR, fontSize: 11 },
    }
  })
  return {
    tooltip: { trigger: 'item' as const },
    animationDurationUpdate: 300,
    series: [
      {
        type: 'graph' as const,
        layout: 'force' as const,
        roam: true,
        draggable: true,
        force: { repulsion: 260, edgeLength: [70, 140], gravity: 0.08, layoutAnimation: true },
        categories: types.map((t) => ({ name: labels.typeLabel(t), symbol: typeStyle(t).symbol, itemStyle: { color: typeStyle(t).color } })),
        edgeSymbol: ['none', 'arrow'],
        edgeSymbolSize: [0, 8],
        emphasis: { focus: 'adjacency' as const, lineStyle: { width: 3 } },
        data: nodes,
        links,
      },
    ],
  }
}

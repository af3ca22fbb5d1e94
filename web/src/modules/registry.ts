// The module registry: every feature module (service desk, incidents, CMDB, admin, ...)
// declares its pages, navigation entries, portal tiles and the permission they need.
// Only registered modules appear in the UI; see modules/index.ts for the list.
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'
import type { Permission } from '@/api/types'

export type Face = 'workspace' | 'portal'

/** A number shown beside a nav entry (e.g. approvals waiting): read reactively, refreshed by the layout. */
export interface NavBadge {
  count: () => number
  /** Called when the workspace opens and after each navigation (the badge throttles itself). */
  refresh: () => void
}

export interface NavEntry {
  /** Unique id; also the data-test suffix (`nav-<id>`, dots become dashes). */
  id: string
  /** i18n key of the label. */
  label: string
  icon?: Component
  /** Route path (absolute, e.g. "/admin/users"); omitted for a group. */
  to?: string
  permission?: Permission
  /** Sort order: lower first. Suggested bands below (NAV_ORDER). */
  order: number
  /** Sub-entries; entries of groups with the same id from several modules are merged. */
  children?: NavEntry[]
  badge?: NavBadge
}

export interface PortalTile {
  id: string
  /** i18n keys. */
  title: string
  description: string
  icon?: Component
  to: string
  order: number
  permission?: Permission
  /** Accent colour of the tile's icon. */
  color?: string
}

export interface YunweiModule {
  id: string
  /** Needed for every route, nav entry and tile of the module (in addition to their own). */
  permission?: Permission
  /** Child routes of the agent workspace layout (paths relative to "/"). */
  workspaceRoutes?: RouteRecordRaw[]
  /** Child routes of the requester portal layout (paths relative to "/portal/"). */
  portalRoutes?: RouteRecordRaw[]
  /** Entries of the workspace's side navigation. */
  nav?: NavEntry[]
  /** Tiles on the requester portal's home page. */
  tiles?: PortalTile[]
}

/** Order bands for the side navigation, so modules land where the product expects them. */
export const NAV_ORDER = {
  home: 0,
  serviceDesk: 100,
  incidents: 200,
  problems: 300,
  changes: 400,
  cmdb: 500,
  alerts: 600,
  knowledge: 700,
  catalog: 800,
  reports: 900,
  admin: 1000,
} as const

export function defineModule(m: YunweiModule): YunweiModule {
  return m
}

type Can = (p: Permission | undefined) => boolean

function sortByOrder<T extends { order: number }>(xs: T[]): T[] {
  return [...xs].sort((a, b) => a.order - b.order)
}

/** The workspace navigation the current user may see: merged, filtered and sorted. */
export function buildNav(modules: YunweiModule[], can: Can): NavEntry[] {
  const byId = new Map<string, NavEntry>()
  for (const m of modules) {
    if (!can(m.permission)) continue
    for (const entry of m.nav ?? []) {
      const existing = byId.get(entry.id)
      if (existing) {
        existing.children = [...(existing.children ?? []), ...(entry.children ?? [])]
        existing.order = Math.min(existing.order, entry.order)
      } else {
        byId.set(entry.id, { ...entry, children: entry.children ? [...entry.children] : undefined })
      }
    }
  }
  const visible = (e: NavEntry): NavEntry | null => {
    if (!can(e.permission)) return null
    if (!e.children) return e.to ? e : null
    const children = sortByOrder(e.children.map(visible).filter((c): c is NavEntry => c !== null))
    if (children.length === 0) return null
    return { ...e, children }
  }
  return sortByOrder([...byId.values()].map(visible).filter((e): e is NavEntry => e !== null))
}

/** The portal tiles the current user may see. */
export function buildTiles(modules: YunweiModule[], can: Can): PortalTile[] {
  const tiles = modules.filter((m) => can(m.permission)).flatMap((m) => m.tiles ?? [])
  return sortByOrder(tiles.filter((t) => can(t.permission)))
}

/** A module's routes with its permission and the face copied into every route's meta. */
export function moduleRoutes(modules: YunweiModule[], face: Face): RouteRecordRaw[] {
  const out: RouteRecordRaw[] = []
  for (const m of modules) {
    const routes = face === 'workspace' ? m.workspaceRoutes : m.portalRoutes
    for (const r of routes ?? []) {
      out.push({
        ...r,
        meta: { ...(r.meta ?? {}), face, modulePermission: m.permission, module: m.id },
      } as RouteRecordRaw)
    }
  }
  return out
}

/** The data-test attribute of a nav entry. */
export function navTestId(id: string): string {
  return `nav-${id.replace(/\./g, '-')}`
}

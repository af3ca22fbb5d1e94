import { describe, expect, it } from 'vitest'
import { modules } from '../src/modules'
import { buildNav, buildTiles, defineModule, moduleRoutes, navTestId } from '../src/modules/registry'
import type { Permission } from '../src/api/types'

const can = (perms: Permission[]) => (p: Permission | undefined) => !p || perms.includes(p)

describe('module registry', () => {
  it('shows only registered modules, in order', () => {
    const nav = buildNav(modules, can(['users_read', 'users_write']))
    expect(nav.map((e) => e.id)).toEqual(['home', 'admin'])
    expect(nav[1].children?.map((c) => c.id)).toEqual(['admin.users', 'admin.teams'])
  })

  it('hides what the user may not see', () => {
    const nav = buildNav(modules, can([]))
    expect(nav.map((e) => e.id)).toEqual(['home'])
  })

  it('merges groups declared by several modules and drops empty ones', () => {
    const a = defineModule({
      id: 'a',
      nav: [{ id: 'admin', label: 'nav.admin', order: 1000, children: [{ id: 'admin.x', label: 'x', to: '/x', order: 20 }] }],
    })
    const b = defineModule({
      id: 'b',
      nav: [
        { id: 'admin', label: 'nav.admin', order: 1000, children: [{ id: 'admin.y', label: 'y', to: '/y', order: 10 }] },
        { id: 'audit', label: 'audit', order: 5, children: [{ id: 'audit.log', label: 'l', to: '/l', order: 1, permission: 'audit_read' }] },
      ],
    })
    const nav = buildNav([a, b], can([]))
    expect(nav.map((e) => e.id)).toEqual(['admin'])
    expect(nav[0].children?.map((c) => c.id)).toEqual(['admin.y', 'admin.x'])
  })

  it('copies the module permission into its routes', () => {
    const routes = moduleRoutes(modules, 'workspace')
    const users = routes.find((r) => r.name === 'admin-users')
    expect(users?.meta?.modulePermission).toBe('users_read')
    expect(users?.meta?.face).toBe('workspace')
    const portal = moduleRoutes(modules, 'portal')
    expect(portal.map((r) => r.name)).toEqual(expect.arrayContaining(['portal-profile', 'portal-report', 'portal-tickets', 'portal-ticket']))
    // The portal ticket pages need the ticket permissions (module and route).
    const report = portal.find((r) => r.name === 'portal-report')
    expect(report?.meta?.modulePermission).toBe('tickets_read')
    expect(report?.meta?.permission).toBe('tickets_create')
    expect(report?.meta?.face).toBe('portal')
  })

  it('gives the portal its tiles', () => {
    expect(buildTiles(modules, can([])).map((t) => t.id)).toEqual(['profile', 'password'])
  })

  it('derives data-test ids from nav ids', () => {
    expect(navTestId('admin.users')).toBe('nav-admin-users')
  })
})

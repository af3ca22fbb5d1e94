import { Coin, Setting } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'

// The CMDB (issue #6): configuration items by type, their relations, graph, impact and history,
// the import page (cmdb_write) and the CI type / schema editor under the admin group (cmdb_read
// sees it read-only, cmdb_admin edits).
export default defineModule({
  id: 'cmdb',
  permission: 'cmdb_read',
  workspaceRoutes: [
    {
      path: 'cmdb',
      name: 'cmdb-cis',
      component: () => import('./CiListPage.vue'),
      meta: { title: 'cmdb.list.title' },
    },
    { path: 'cmdb/types/:key', redirect: (to) => ({ path: '/cmdb', query: { type: String(to.params.key) } }) },
    {
      path: 'cmdb/cis/:id',
      name: 'cmdb-ci',
      component: () => import('./CiPage.vue'),
      meta: { title: 'cmdb.ci.title' },
    },
    {
      path: 'cmdb/import',
      name: 'cmdb-import',
      component: () => import('./ImportPage.vue'),
      meta: { title: 'cmdb.import.title', permission: 'cmdb_write' },
    },
    {
      path: 'admin/cmdb/types',
      name: 'cmdb-types',
      component: () => import('./TypesPage.vue'),
      meta: { title: 'cmdb.types.title' },
    },
    {
      path: 'admin/cmdb/types/:id',
      name: 'cmdb-type',
      component: () => import('./TypePage.vue'),
      meta: { title: 'cmdb.types.editTitle' },
    },
  ],
  nav: [
    {
      id: 'cmdb',
      label: 'cmdb.nav.group',
      icon: Coin,
      order: NAV_ORDER.cmdb,
      children: [
        { id: 'cmdb.ci-list', label: 'cmdb.nav.cis', to: '/cmdb', order: 10 },
        { id: 'cmdb.ci-import', label: 'cmdb.nav.import', to: '/cmdb/import', order: 20, permission: 'cmdb_write' },
      ],
    },
    {
      id: 'admin',
      label: 'nav.admin',
      icon: Setting,
      children: [{ id: 'admin.cmdb-types', label: 'cmdb.nav.types', to: '/admin/cmdb/types', order: 300 }],
      order: NAV_ORDER.admin,
    },
  ],
})

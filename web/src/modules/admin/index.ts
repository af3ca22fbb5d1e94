import { Setting } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'

export default defineModule({
  id: 'admin-identity',
  permission: 'users_read',
  workspaceRoutes: [
    { path: 'admin', redirect: '/admin/users' },
    {
      path: 'admin/users',
      name: 'admin-users',
      component: () => import('./UsersPage.vue'),
      meta: { title: 'admin.users.title' },
    },
    {
      path: 'admin/teams',
      name: 'admin-teams',
      component: () => import('./TeamsPage.vue'),
      meta: { title: 'admin.teams.title' },
    },
  ],
  nav: [
    {
      id: 'admin',
      label: 'nav.admin',
      icon: Setting,
      order: NAV_ORDER.admin,
      children: [
        { id: 'admin.users', label: 'nav.users', to: '/admin/users', order: 10 },
        { id: 'admin.teams', label: 'nav.teams', to: '/admin/teams', order: 20 },
      ],
    },
  ],
})

import { Setting } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'

// Service desk configuration for administrators (tickets_admin edits); other staff
// (tickets_staff) get the same pages read-only where the API lets them read.
export default defineModule({
  id: 'servicedesk-admin',
  permission: 'tickets_staff',
  workspaceRoutes: [
    { path: 'admin/service-desk', redirect: '/admin/service-desk/categories' },
    {
      path: 'admin/service-desk/categories',
      name: 'sd-categories',
      component: () => import('./CategoriesPage.vue'),
      meta: { title: 'sdAdmin.categories.title' },
    },
    {
      path: 'admin/service-desk/priority-matrix',
      name: 'sd-priority-matrix',
      component: () => import('./PriorityMatrixPage.vue'),
      meta: { title: 'sdAdmin.matrix.title' },
    },
    {
      path: 'admin/service-desk/assignment-rules',
      name: 'sd-assignment-rules',
      component: () => import('./AssignmentRulesPage.vue'),
      meta: { title: 'sdAdmin.rules.title' },
    },
    {
      path: 'admin/service-desk/dispatch',
      name: 'sd-dispatch',
      component: () => import('./DispatchPage.vue'),
      meta: { title: 'sdAdmin.dispatch.title' },
    },
    {
      path: 'admin/service-desk/settings',
      name: 'sd-settings',
      component: () => import('./SettingsPage.vue'),
      meta: { title: 'sdAdmin.settings.title' },
    },
    {
      path: 'admin/service-desk/surveys',
      name: 'sd-surveys',
      component: () => import('./SurveysPage.vue'),
      meta: { title: 'sdAdmin.surveys.title' },
    },
  ],
  nav: [
    {
      id: 'admin',
      label: 'nav.admin',
      icon: Setting,
      order: NAV_ORDER.admin,
      children: [
        { id: 'admin.sd-categories', label: 'sdAdmin.nav.categories', to: '/admin/service-desk/categories', order: 100 },
        { id: 'admin.sd-matrix', label: 'sdAdmin.nav.matrix', to: '/admin/service-desk/priority-matrix', order: 110 },
        { id: 'admin.sd-rules', label: 'sdAdmin.nav.rules', to: '/admin/service-desk/assignment-rules', order: 120 },
        { id: 'admin.sd-dispatch', label: 'sdAdmin.nav.dispatch', to: '/admin/service-desk/dispatch', order: 130 },
        { id: 'admin.sd-settings', label: 'sdAdmin.nav.settings', to: '/admin/service-desk/settings', order: 140 },
        { id: 'admin.sd-surveys', label: 'sdAdmin.nav.surveys', to: '/admin/service-desk/surveys', order: 150 },
      ],
    },
  ],
})

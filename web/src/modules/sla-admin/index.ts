import { Setting } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'

// Business calendars, holiday sets and SLA policies (issue #5): staff with sla_read see them, administrators
// (sla_admin) change them. Under the admin navigation group, after the service-desk pages.
export default defineModule({
  id: 'sla-admin',
  permission: 'sla_read',
  workspaceRoutes: [
    { path: 'admin/sla', redirect: '/admin/sla/calendars' },
    {
      path: 'admin/sla/calendars',
      name: 'sla-calendars',
      component: () => import('./CalendarsPage.vue'),
      meta: { title: 'sla.calendars.title' },
    },
    {
      path: 'admin/sla/calendars/:id',
      name: 'sla-calendar',
      component: () => import('./CalendarPage.vue'),
      meta: { title: 'sla.calendar.title' },
    },
    {
      path: 'admin/sla/holiday-sets',
      name: 'sla-holiday-sets',
      component: () => import('./HolidaySetsPage.vue'),
      meta: { title: 'sla.sets.title' },
    },
    {
      path: 'admin/sla/policies',
      name: 'sla-policies',
      component: () => import('./PoliciesPage.vue'),
      meta: { title: 'sla.policies.title' },
    },
  ],
  nav: [
    {
      id: 'admin',
      label: 'nav.admin',
      icon: Setting,
      order: NAV_ORDER.admin,
      children: [
        { id: 'admin.sla-calendars', label: 'sla.nav.calendars', to: '/admin/sla/calendars', order: 200 },
        { id: 'admin.sla-holidays', label: 'sla.nav.holidaySets', to: '/admin/sla/holiday-sets', order: 210 },
        { id: 'admin.sla-policies', label: 'sla.nav.policies', to: '/admin/sla/policies', order: 220 },
      ],
    },
  ],
})

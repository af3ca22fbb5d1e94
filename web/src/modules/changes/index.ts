import { Finished, Setting } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'
import { changesLazy } from './lazy'
import { inboxBadge } from './inboxBadge'

const page = changesLazy.page

// Change management (issue #7): changes (CHG-…) with plans, risk, approvals, conflicts and the
// post-implementation review; the approver's inbox (with a count in the navigation), the change
// calendar, and the admin pages (freeze and maintenance windows, standard-change templates,
// settings: changes_read sees them read-only, changes_admin edits). Pages and messages are one
// lazy chunk (./pages.ts).
export default defineModule({
  id: 'changes',
  permission: 'changes_read',
  workspaceRoutes: [
    {
      path: 'changes',
      name: 'changes',
      component: page('ChangeListPage'),
      meta: { title: 'changes.list.title' },
    },
    {
      path: 'changes/new',
      name: 'change-new',
      component: page('NewChangePage'),
      meta: { title: 'changes.create.title', permission: 'tickets_work' },
    },
    {
      path: 'changes/calendar',
      name: 'change-calendar',
      component: page('CalendarPage'),
      meta: { title: 'changes.calendar.title' },
    },
    {
      path: 'changes/:number',
      name: 'change',
      component: page('ChangePage'),
      meta: { title: 'changes.detail.title' },
    },
    {
      path: 'approvals',
      name: 'approvals-inbox',
      component: page('InboxPage'),
      meta: { title: 'changes.inbox.title', permission: 'changes_approve' },
    },
    {
      path: 'admin/changes/freeze-windows',
      name: 'change-freeze-windows',
      component: page('FreezeWindowsPage'),
      meta: { title: 'changes.freeze.title' },
    },
    {
      path: 'admin/changes/maintenance-windows',
      name: 'change-maintenance-windows',
      component: page('MaintenanceWindowsPage'),
      meta: { title: 'changes.maintenance.title' },
    },
    {
      path: 'admin/changes/templates',
      name: 'change-templates',
      component: page('TemplatesPage'),
      meta: { title: 'changes.templates.title' },
    },
    {
      path: 'admin/changes/settings',
      name: 'change-settings',
      component: page('SettingsPage'),
      meta: { title: 'changes.settings.title' },
    },
    // A change's number in a ticket link (search, links, timeline) opens the change page.
    { path: 'tickets/:number(CHG-\\d+)', redirect: (to) => `/changes/${String(to.params.number).toUpperCase()}` },
  ],
  nav: [
    {
      id: 'changes',
      label: 'itil.nav.changes',
      icon: Finished,
      order: NAV_ORDER.changes,
      children: [
        { id: 'changes.list', label: 'itil.nav.changeList', to: '/changes', order: 10 },
        { id: 'changes.create', label: 'itil.nav.newChange', to: '/changes/new', order: 20, permission: 'tickets_work' },
        { id: 'changes.calendar', label: 'itil.nav.calendar', to: '/changes/calendar', order: 30 },
        { id: 'changes.inbox', label: 'itil.nav.inbox', to: '/approvals', order: 40, permission: 'changes_approve', badge: inboxBadge },
      ],
    },
    {
      id: 'admin',
      label: 'nav.admin',
      icon: Setting,
      order: NAV_ORDER.admin,
      children: [
        { id: 'admin.change-freeze', label: 'itil.nav.freezeWindows', to: '/admin/changes/freeze-windows', order: 400 },
        { id: 'admin.change-maintenance', label: 'itil.nav.maintenanceWindows', to: '/admin/changes/maintenance-windows', order: 410 },
        { id: 'admin.change-templates', label: 'itil.nav.templates', to: '/admin/changes/templates', order: 420 },
        { id: 'admin.change-settings', label: 'itil.nav.settings', to: '/admin/changes/settings', order: 430 },
      ],
    },
  ],
})

import { Headset } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'

// The agent workspace of the service desk: queues, ticket detail, new ticket, search.
// Views need tickets_staff; actions inside the pages check tickets_work. The "at risk /
// breached" queue also needs sla_read.
export default defineModule({
  id: 'tickets',
  permission: 'tickets_staff',
  workspaceRoutes: [
    {
      path: 'tickets',
      name: 'tickets',
      component: () => import('./QueuePage.vue'),
      meta: { title: 'tickets.queue.title' },
    },
    {
      path: 'tickets/new',
      name: 'ticket-new',
      component: () => import('./NewTicketPage.vue'),
      meta: { title: 'tickets.create.title', permission: 'tickets_work' },
    },
    {
      path: 'tickets/sla',
      name: 'tickets-sla',
      component: () => import('./SlaQueuePage.vue'),
      meta: { title: 'slaQueue.title', permission: 'sla_read' },
    },
    {
      path: 'tickets/:number',
      name: 'ticket',
      component: () => import('./TicketPage.vue'),
      meta: { title: 'tickets.detail.title' },
    },
  ],
  nav: [
    {
      id: 'servicedesk',
      label: 'tickets.nav.group',
      icon: Headset,
      order: NAV_ORDER.serviceDesk,
      children: [
        { id: 'servicedesk.queue', label: 'tickets.nav.queue', to: '/tickets', order: 10 },
        { id: 'servicedesk.sla', label: 'slaQueue.nav', to: '/tickets/sla', order: 15, permission: 'sla_read' },
        { id: 'servicedesk.new', label: 'tickets.nav.new', to: '/tickets/new', order: 20, permission: 'tickets_work' },
      ],
    },
  ],
})

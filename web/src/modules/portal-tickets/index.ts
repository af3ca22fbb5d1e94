import { Service, Tickets, WarningFilled } from '@element-plus/icons-vue'
import { defineModule } from '../registry'

const ReportPage = () => import('./ReportPage.vue')

// The requester's side of the service desk: report a fault, request a service, follow up on
// their tickets (status, conversation, attachments, reopen / confirm / withdraw, survey).
export default defineModule({
  id: 'portal-tickets',
  permission: 'tickets_read',
  portalRoutes: [
    {
      path: 'report',
      name: 'portal-report',
      component: ReportPage,
      props: { kind: 'incident' },
      meta: { title: 'portal.report.titleIncident', permission: 'tickets_create' },
    },
    {
      path: 'request',
      name: 'portal-request',
      component: ReportPage,
      props: { kind: 'request' },
      meta: { title: 'portal.report.titleRequest', permission: 'tickets_create' },
    },
    {
      path: 'tickets',
      name: 'portal-tickets',
      component: () => import('./MyTickets.vue'),
      meta: { title: 'portal.list.title' },
    },
    {
      path: 'tickets/:number',
      name: 'portal-ticket',
      component: () => import('./TicketPage.vue'),
      props: true,
      meta: { title: 'portal.ticket.title' },
    },
  ],
  tiles: [
    {
      id: 'report',
      title: 'portal.tiles.report.title',
      description: 'portal.tiles.report.description',
      icon: WarningFilled,
      to: '/portal/report',
      order: 100,
      permission: 'tickets_create',
      color: '#f56c6c',
    },
    {
      id: 'request',
      title: 'portal.tiles.request.title',
      description: 'portal.tiles.request.description',
      icon: Service,
      to: '/portal/request',
      order: 110,
      permission: 'tickets_create',
      color: '#2f6fed',
    },
    {
      id: 'tickets',
      title: 'portal.tiles.tickets.title',
      description: 'portal.tiles.tickets.description',
      icon: Tickets,
      to: '/portal/tickets',
      order: 120,
      color: '#e6a23c',
    },
  ],
})

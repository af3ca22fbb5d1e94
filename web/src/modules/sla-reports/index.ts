import { DataAnalysis } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'

// SLA reports (issue #5): the compliance report page under "Reports", and the compliance card
// the staff home page loads lazily (SlaComplianceCard.vue). Needs sla_read.
export default defineModule({
  id: 'sla-reports',
  permission: 'sla_read',
  workspaceRoutes: [
    {
      path: 'reports/sla',
      name: 'sla-report',
      component: () => import('./SlaReportPage.vue'),
      meta: { title: 'slaReport.title' },
    },
  ],
  nav: [
    {
      id: 'reports',
      label: 'slaReport.nav.group',
      icon: DataAnalysis,
      order: NAV_ORDER.reports,
      children: [{ id: 'reports.sla', label: 'slaReport.nav.sla', to: '/reports/sla', order: 10 }],
    },
  ],
})

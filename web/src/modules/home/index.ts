import { HomeFilled } from '@element-plus/icons-vue'
import { defineModule, NAV_ORDER } from '../registry'

export default defineModule({
  id: 'home',
  workspaceRoutes: [
    {
      path: '',
      name: 'home',
      component: () => import('./HomePage.vue'),
      meta: { title: 'home.title' },
    },
  ],
  nav: [{ id: 'home', label: 'nav.home', icon: HomeFilled, to: '/', order: NAV_ORDER.home }],
})

import { Finished } from '@element-plus/icons-vue'
import { defineModule } from '../registry'
import { changesLazy } from './lazy'

const page = changesLazy.page

// The requester's side of change management: standard-change templates in the portal's
// catalogue, and raising a standard change from one (tickets_create).
export default defineModule({
  id: 'portal-changes',
  permission: 'tickets_create',
  portalRoutes: [
    {
      path: 'standard-changes',
      name: 'portal-standard-changes',
      component: page('CatalogPage'),
      meta: { title: 'changes.portal.title' },
    },
    {
      path: 'standard-changes/:id',
      name: 'portal-standard-change',
      component: page('RequestPage'),
      meta: { title: 'changes.portal.requestTitle' },
    },
  ],
  tiles: [
    {
      id: 'standard-changes',
      title: 'itil.tile.title',
      description: 'itil.tile.description',
      icon: Finished,
      to: '/portal/standard-changes',
      order: 130,
      color: '#2e9e5b',
    },
  ],
})

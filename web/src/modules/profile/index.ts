import { Lock, User } from '@element-plus/icons-vue'
import { defineModule } from '../registry'

const ProfilePage = () => import('./ProfilePage.vue')

// The profile is reached from the user menu (workspace) and from tiles (portal).
export default defineModule({
  id: 'profile',
  workspaceRoutes: [
    { path: 'profile', name: 'profile', component: ProfilePage, meta: { title: 'profile.title' } },
  ],
  portalRoutes: [
    { path: 'profile', name: 'portal-profile', component: ProfilePage, meta: { title: 'profile.title' } },
  ],
  tiles: [
    {
      id: 'profile',
      title: 'portal.tiles.profile.title',
      description: 'portal.tiles.profile.description',
      icon: User,
      to: '/portal/profile',
      order: 900,
      color: '#409eff',
    },
    {
      id: 'password',
      title: 'portal.tiles.password.title',
      description: 'portal.tiles.password.description',
      icon: Lock,
      to: '/portal/profile?tab=password',
      order: 910,
      color: '#67c23a',
    },
  ],
})

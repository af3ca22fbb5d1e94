import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw, type Router, type RouterHistory } from 'vue-router'
import { modules as registered } from '@/modules'
import { moduleRoutes, type YunweiModule } from '@/modules/registry'
import { useSessionStore } from '@/stores/session'
import { i18n } from '@/i18n'

export const WORKSPACE_HOME = '/'
export const PORTAL_HOME = '/portal'

export function buildRoutes(modules: YunweiModule[]): RouteRecordRaw[] {
  return [
    {
      path: '/login',
      name: 'login',
      component: () => import('@/pages/LoginPage.vue'),
      meta: { public: true, title: 'login.title' },
    },
    {
      path: '/portal',
      component: () => import('@/layouts/PortalLayout.vue'),
      meta: { face: 'portal' },
      children: [
        {
          path: '',
          name: 'portal-home',
          component: () => import('@/pages/PortalHome.vue'),
          meta: { title: 'portal.title', face: 'portal' },
        },
        ...moduleRoutes(modules, 'portal'),
      ],
    },
    {
      path: '/',
      component: () => import('@/layouts/WorkspaceLayout.vue'),
      meta: { face: 'workspace' },
      children: [
        ...moduleRoutes(modules, 'workspace'),
        {
          path: ':pathMatch(.*)*',
          name: 'not-found',
          component: () => import('@/pages/NotFound.vue'),
          meta: { title: 'notFound.title' },
        },
      ],
    },
  ]
}

/** Only same-site paths are followed after login (no open redirect). */
export function safeRedirect(target: unknown): string | null {
  if (typeof target !== 'string') return null
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return null
  if (target.startsWith('/login')) return null
  return target
}

export function homeFor(isStaff: boolean): string {
  return isStaff ? WORKSPACE_HOME : PORTAL_HOME
}

function routeFace(to: RouteLocationNormalized): 'workspace' | 'portal' | undefined {
  for (let i = to.matched.length - 1; i >= 0; i--) {
    const f = to.matched[i].meta.face
    if (f) return f
  }
  return undefined
}

export function installGuards(router: Router): void {
  router.beforeEach(async (to) => {
    const session = useSessionStore()
    if (!session.checked) {
      try {
        await session.load()
      } catch {
        // Server unreachable: treat as logged out; the login page shows the error on submit.
      }
    }
    if (to.meta.public) {
      if (to.name === 'login' && session.loggedIn) {
        return safeRedirect(to.query.redirect) ?? homeFor(session.isStaff)
      }
      return true
    }
    if (!session.loggedIn) {
      return { path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    const face = routeFace(to)
    const wanted = session.isStaff ? 'workspace' : 'portal'
    if (face && face !== wanted) {
      // The requester's "not found" lands on the portal home instead.
      return homeFor(session.isStaff)
    }
    for (const m of to.matched) {
      if (!session.can(m.meta.modulePermission) || !session.can(m.meta.permission)) {
        return homeFor(session.isStaff)
      }
    }
    return true
  })

  router.afterEach((to) => {
    const title = to.meta.title ? i18n.global.t(to.meta.title) : ''
    const app = i18n.global.t('app.name')
    if (typeof document !== 'undefined') document.title = title ? `${title} · ${app}` : app
  })
}

export function createAppRouter(modules: YunweiModule[] = registered, history?: RouterHistory): Router {
  const router = createRouter({
    history: history ?? createWebHistory(),
    routes: buildRoutes(modules),
    scrollBehavior: () => ({ top: 0 }),
  })
  installGuards(router)
  return router
}

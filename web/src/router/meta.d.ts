import 'vue-router'
import type { Permission } from '@/api/types'
import type { Face } from '@/modules/registry'

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title (document title and header). */
    title?: string
    /** Reachable without logging in. */
    public?: boolean
    /** Which layout the route lives in; users of the other face are redirected. */
    face?: Face
    permission?: Permission
    modulePermission?: Permission
    module?: string
  }
}

// The problems module's pages and messages, loaded on first use (see ../lazyModule.ts); the
// incident page's "known errors" panel comes from here too.
import { lazyModule } from '../lazyModule'
import type pages from './pages'

export const problemsLazy = lazyModule<typeof pages>(() => import('./pages'))

export const KnownErrorPanel = problemsLazy.component('KnownErrorPanel')

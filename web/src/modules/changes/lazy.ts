// The changes module's pages and messages, loaded on first use (see ../lazyModule.ts).
import { lazyModule } from '../lazyModule'
import type pages from './pages'

export const changesLazy = lazyModule<typeof pages>(() => import('./pages'))

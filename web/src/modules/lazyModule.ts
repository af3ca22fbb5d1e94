// A module's pages and message catalogues behind one lazy chunk. The first screen then carries,
// per module, only its index.ts (routes, navigation) and a single dynamic import, instead of one
// import (with its list of preloaded files) per page and the module's messages.
//
// A module keeps `locales/en.ts` and `locales/zh-CN.ts` (zh-CN typed against en; checked by
// tests/i18n.spec.ts together with the global catalogues) and a `pages.ts` that imports both
// catalogues and lists its pages as lazy imports:
//
//   export default { messages: { en, 'zh-CN': zhCN }, pages: { ChangePage: () => import('./ChangePage.vue') } }
//
// Its index.ts uses `const lazy = lazyModule<typeof pages>(() => import('./pages'))` (a type-only
// import of pages.ts) and `component: lazy.page('ChangePage')` in its routes; a component shown
// on another module's page is `lazy.component('KnownErrorPanel')`. The catalogues are merged
// into vue-i18n before the page renders; both languages come together, so switching the language
// never waits. Navigation labels and portal tiles stay in the global catalogue: the layout shows
// them before any page of the module is loaded.
import { defineAsyncComponent, type Component } from 'vue'
import { i18n } from '@/i18n'

export type ModuleCatalogues = Record<'en' | 'zh-CN', Record<string, unknown>>

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loader = () => Promise<any>

export interface ModuleChunk {
  messages: ModuleCatalogues
  pages: Record<string, Loader>
}

export interface LazyModule<P extends ModuleChunk> {
  /** Loads the chunk and merges its messages once; later calls return the same promise. */
  ensure(): Promise<P>
  /** A lazy route component: the page, with the module's messages merged first. */
  page(name: keyof P['pages'] & string): Loader
  /** An async component (for another module's page), with the module's messages. */
  component(name: keyof P['pages'] & string): Component
}

export function lazyModule<P extends ModuleChunk>(load: () => Promise<{ default: P }>): LazyModule<P> {
  let loading: Promise<P> | null = null
  function ensure(): Promise<P> {
    loading ??= load().then(
      (m) => {
        for (const [locale, tree] of Object.entries(m.default.messages)) {
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          i18n.global.mergeLocaleMessage(locale, tree as any)
        }
        return m.default
      },
      (e) => {
        loading = null
        throw e
      },
    )
    return loading
  }
  const page = (name: keyof P['pages'] & string): Loader => () => ensure().then((m) => m.pages[name]())
  return {
    ensure,
    page,
    component: (name) => defineAsyncComponent(page(name)),
  }
}

// Filters that live in the URL query (a list is a link; back/forward restore it): reading a
// parameter, comparing queries, keeping reactive filters and the route's query in step, and a
// comma-list parameter as the array of a multiple select.
import { computed, watch, type WritableComputedRef } from 'vue'
import { useRoute, useRouter, type LocationQuery } from 'vue-router'

/** The parameter's value when it is given once, else ''. */
export function queryParam(q: LocationQuery, key: string): string {
  const v = q[key]
  return typeof v === 'string' ? v : ''
}

/** Whether `a` (a page's query, strings only) holds exactly the parameters of `b`. */
export function sameQuery(a: Record<string, string>, b: LocationQuery): boolean {
  return Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v)
}

export interface QuerySyncOptions<F> {
  /** The page's route: query changes while another route is showing (leaving the page) are ignored. */
  routeName: string
  /** The filters a query stands for (defaults for what it lacks or gets wrong). */
  fromQuery: (q: LocationQuery) => F
  /** The query of the filters (defaults left out). */
  toQuery: (f: F) => Record<string, string>
}

/**
 * Keeps `filters` (reactive) and the URL query in step, both ways: a filter change replaces the
 * query (no new history entry), a new query (back/forward, a link, a saved view) is copied into
 * the filters when it means other filters.
 */
export function useQuerySync<F extends object>(filters: F, { routeName, fromQuery, toQuery }: QuerySyncOptions<F>): void {
  const route = useRoute()
  const router = useRouter()
  watch(
    () => toQuery(filters),
    (query) => {
      if (!sameQuery(query, route.query)) void router.replace({ query })
    },
  )
  watch(
    () => route.query,
    (query) => {
      if (route.name !== routeName) return
      const f = fromQuery(query)
      if (!sameQuery(toQuery(f), toQuery(filters) as LocationQuery)) Object.assign(filters, f)
    },
  )
}

/** A filter holding a comma list (as in the URL) as the array of a multiple select. */
export function csvModel<K extends string>(filters: Record<K, string>, key: K): WritableComputedRef<string[]> {
  return computed<string[]>({
    get: () => (filters[key] ? filters[key].split(',') : []),
    set: (v) => (filters[key] = v.join(',')),
  })
}

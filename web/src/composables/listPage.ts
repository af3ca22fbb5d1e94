// The parts every server-paged list page shares: filters (a debounced search box plus other
// filters), the cursor pager that reads them, and what to do with a row saved by a dialog.
import { onBeforeUnmount, reactive, watch } from 'vue'
import type { Page } from '@/api/types'
import { useCursorPager } from './cursorPager'
import { showError } from './formErrors'

/** The value of an "active only / inactive only / all" filter select. */
export type ActiveFilter = '' | 'true' | 'false'

/** The API's `active` query parameter for an ActiveFilter (null: both). */
export function activeParam(f: ActiveFilter): boolean | null {
  return f === '' ? null : f === 'true'
}

/** `:row-class-name` of a table whose inactive rows are greyed out (class `inactive`). */
export function inactiveRowClass({ row }: { row: { active: boolean } }): string {
  return row.active ? '' : 'inactive'
}

export const SEARCH_DEBOUNCE_MS = 300

/**
 * Filters + pager of a list page. Typing in `q` goes back to page 1 after a pause; any other
 * filter does so at once. Errors while loading are shown as messages. The caller loads the
 * first page (`pager.load()`, usually in onMounted).
 */
export function useFilteredList<T extends { id: number }, F extends { q: string }>(
  initial: F,
  fetchPage: (filters: F, cursor: string | null, limit: number) => Promise<Page<T>>,
) {
  const others = Object.keys(initial).filter((k) => k !== 'q') as (keyof F)[]
  const filters = reactive(initial) as F
  const pager = useCursorPager<T>((cursor, limit) => fetchPage(filters, cursor, limit), showError)

  let debounce: ReturnType<typeof setTimeout> | undefined
  watch(() => filters.q, () => {
    clearTimeout(debounce)
    debounce = setTimeout(() => pager.reset(), SEARCH_DEBOUNCE_MS)
  })
  watch(() => others.map((k) => filters[k]), () => pager.reset())
  onBeforeUnmount(() => clearTimeout(debounce))

  /** After a dialog saved `row`: a new row reloads page 1, an edited one is replaced in place. */
  function onSaved(row: T, created: boolean): void {
    if (created) void pager.reset()
    else pager.replace((x) => x.id === row.id, row)
  }

  return { filters, pager, onSaved }
}

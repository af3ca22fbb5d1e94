// Server-side pagination over the API's opaque cursors. The API only gives a next_cursor,
// so previous pages come from a stack of the cursors that opened each page.
import { ref, shallowRef, type Ref } from 'vue'
import type { Page } from '@/api/types'

export const PAGE_SIZES = [20, 50, 100] as const
export const DEFAULT_PAGE_SIZE = 20

/** What <CursorPager :pager="pager" /> reads from a useCursorPager() result. */
export interface CursorPagerState {
  items: Readonly<Ref<readonly unknown[]>>
  loading: Readonly<Ref<boolean>>
  pageSize: Readonly<Ref<number>>
  pageIndex: Readonly<Ref<number>>
  nextCursor: Readonly<Ref<string | null>>
  prev(): Promise<void>
  next(): Promise<void>
  setPageSize(n: number): Promise<void>
}

export function useCursorPager<T>(
  fetchPage: (cursor: string | null, limit: number) => Promise<Page<T>>,
  onError?: (e: unknown) => void,
) {
  const items = shallowRef<T[]>([])
  const loading = ref(false)
  const pageSize = ref<number>(DEFAULT_PAGE_SIZE)
  /** cursors[i] opens page i (cursors[0] is null: the first page). */
  const cursors = ref<(string | null)[]>([null])
  const pageIndex = ref(0)
  const nextCursor = ref<string | null>(null)
  let seq = 0

  async function load(): Promise<void> {
    const mine = ++seq
    loading.value = true
    try {
      const page = await fetchPage(cursors.value[pageIndex.value] ?? null, pageSize.value)
      if (mine !== seq) return
      // A page emptied by changes elsewhere: step back instead of showing nothing.
      if (page.items.length === 0 && pageIndex.value > 0) {
        pageIndex.value--
        cursors.value = cursors.value.slice(0, pageIndex.value + 1)
        return load()
      }
      items.value = page.items
      nextCursor.value = page.next_cursor
    } catch (e) {
      if (mine !== seq) return
      if (onError) onError(e)
      else throw e
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  /** Back to page 1 (filters changed). */
  function reset(): Promise<void> {
    cursors.value = [null]
    pageIndex.value = 0
    return load()
  }

  function next(): Promise<void> {
    if (!nextCursor.value) return Promise.resolve()
    cursors.value = [...cursors.value.slice(0, pageIndex.value + 1), nextCursor.value]
    pageIndex.value++
    return load()
  }

  function prev(): Promise<void> {
    if (pageIndex.value === 0) return Promise.resolve()
    pageIndex.value--
    return load()
  }

  function setPageSize(n: number): Promise<void> {
    pageSize.value = n
    return reset()
  }

  /** Replaces one row in place (after an edit) without reloading. */
  function replace(pred: (x: T) => boolean, row: T): void {
    items.value = items.value.map((x) => (pred(x) ? row : x))
  }

  return {
    items, loading, pageSize, pageIndex, nextCursor, cursors,
    load, reload: load, reset, next, prev, setPageSize, replace,
  }
}

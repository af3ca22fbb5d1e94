import { describe, expect, it } from 'vitest'
import { useCursorPager, DEFAULT_PAGE_SIZE } from '../src/composables/cursorPager'

// 45 rows served in pages with opaque cursors, like the API.
function server(total = 45) {
  const rows = Array.from({ length: total }, (_, i) => i + 1)
  const calls: { cursor: string | null; limit: number }[] = []
  const fetchPage = async (cursor: string | null, limit: number) => {
    calls.push({ cursor, limit })
    const start = cursor ? Number(cursor.slice(1)) : 0
    const items = rows.slice(start, start + limit)
    const next = start + limit < rows.length ? `c${start + limit}` : null
    return { items, next_cursor: next }
  }
  return { rows, calls, fetchPage }
}

describe('cursor pager', () => {
  it('pages forward and back with a stack of cursors', async () => {
    const s = server()
    const p = useCursorPager(s.fetchPage)
    await p.load()
    expect(p.pageSize.value).toBe(DEFAULT_PAGE_SIZE)
    expect(p.items.value).toEqual(s.rows.slice(0, 20))
    await p.next()
    expect(p.pageIndex.value).toBe(1)
    expect(p.items.value[0]).toBe(21)
    await p.next()
    expect(p.items.value).toEqual([41, 42, 43, 44, 45])
    expect(p.nextCursor.value).toBeNull()
    await p.next() // no further page: nothing happens
    expect(p.pageIndex.value).toBe(2)
    await p.prev()
    expect(p.items.value[0]).toBe(21)
    expect(s.calls.at(-1)?.cursor).toBe('c20')
    await p.prev()
    expect(p.items.value[0]).toBe(1)
    expect(s.calls.at(-1)?.cursor).toBeNull()
  })

  it('starts over when filters or the page size change', async () => {
    const s = server()
    const p = useCursorPager(s.fetchPage)
    await p.load()
    await p.next()
    await p.setPageSize(50)
    expect(p.pageIndex.value).toBe(0)
    expect(p.items.value.length).toBe(45)
    expect(s.calls.at(-1)).toEqual({ cursor: null, limit: 50 })
    expect(p.cursors.value).toEqual([null])
  })

  it('steps back when the current page has become empty', async () => {
    const s = server(25)
    const p = useCursorPager(s.fetchPage)
    await p.load()
    await p.next()
    s.rows.splice(20) // rows 21..25 disappear
    await p.reload()
    expect(p.pageIndex.value).toBe(0)
    expect(p.items.value.length).toBe(20)
  })

  it('reports errors to the handler', async () => {
    const errors: unknown[] = []
    const p = useCursorPager(async () => {
      throw new Error('boom')
    }, (e) => errors.push(e))
    await p.load()
    expect(errors.length).toBe(1)
    expect(p.loading.value).toBe(false)
  })
})

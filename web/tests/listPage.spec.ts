// The shared pieces of list pages: filters + pager, <CursorPager :pager>, the active toggle.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { i18n, applyLocale } from '../src/i18n'
import { ApiError } from '../src/api/client'
import { useCursorPager } from '../src/composables/cursorPager'
import { activeParam, inactiveRowClass, SEARCH_DEBOUNCE_MS, useFilteredList, type ActiveFilter } from '../src/composables/listPage'
import { useActiveToggle } from '../src/composables/activeToggle'
import { confirmState, settleConfirm } from '../src/composables/confirm'
import CursorPager from '../src/components/CursorPager.vue'

interface Row {
  id: number
  active: boolean
  version: number
}

/** Runs `setup` inside a mounted component (composables may use lifecycle hooks). */
function withSetup<R>(setup: () => R): { result: R; unmount: () => void } {
  let result!: R
  const w = mount(defineComponent({ setup() { result = setup(); return () => h('div') } }), { global: { plugins: [i18n] } })
  return { result, unmount: () => w.unmount() }
}

afterEach(() => {
  vi.useRealTimers()
  document.body.innerHTML = ''
})

describe('list filters', () => {
  it('maps the active filter and greys out inactive rows', () => {
    expect([activeParam(''), activeParam('true'), activeParam('false')]).toEqual([null, true, false])
    expect(inactiveRowClass({ row: { active: false } })).toBe('inactive')
    expect(inactiveRowClass({ row: { active: true } })).toBe('')
  })

  it('reloads page 1 at once on a filter, after a pause on the search text', async () => {
    vi.useFakeTimers()
    const seen: string[] = []
    const { result, unmount } = withSetup(() =>
      useFilteredList<Row, { q: string; active: ActiveFilter }>({ q: '', active: 'true' }, async (f, cursor) => {
        seen.push(`${f.q}|${f.active}|${cursor}`)
        return { items: [{ id: 1, active: true, version: 1 }], next_cursor: 'c1' }
      }),
    )
    await result.pager.load()
    await result.pager.next()
    result.filters.active = 'false'
    await nextTick()
    await flushPromises()
    expect(seen.at(-1)).toBe('|false|null')
    expect(result.pager.pageIndex.value).toBe(0)
    result.filters.q = 'a'
    await nextTick()
    result.filters.q = 'ab'
    await nextTick()
    expect(seen.length).toBe(3)
    vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS)
    await flushPromises()
    expect(seen.slice(3)).toEqual(['ab|false|null'])
    result.onSaved({ id: 1, active: false, version: 2 }, false)
    expect(result.pager.items.value[0].version).toBe(2)
    unmount()
  })
})

describe('<CursorPager :pager>', () => {
  it('shows the page and drives the pager', async () => {
    applyLocale('en')
    const rows = Array.from({ length: 25 }, (_, i) => i)
    const pager = useCursorPager(async (cursor: string | null, limit: number) => {
      const start = cursor ? Number(cursor) : 0
      return { items: rows.slice(start, start + limit), next_cursor: start + limit < rows.length ? String(start + limit) : null }
    })
    await pager.load()
    const w = mount(CursorPager, { props: { pager }, global: { plugins: [i18n] } })
    expect(w.find('[data-test="pager-prev"]').attributes('disabled')).toBeDefined()
    expect(w.text()).toContain('20')
    await w.find('[data-test="pager-next"]').trigger('click')
    await flushPromises()
    expect(pager.pageIndex.value).toBe(1)
    expect(w.find('[data-test="pager-next"]').attributes('disabled')).toBeDefined()
    expect(w.find('[data-test="pager-prev"]').attributes('disabled')).toBeUndefined()
    expect(w.text()).toContain('5')
    w.unmount()
  })
})

describe('active toggle', () => {
  it('confirms, sends the version and replaces the row; reloads on a stale version', async () => {
    const calls: unknown[][] = []
    let stale = false
    const replaced: Row[] = []
    let reloads = 0
    const { result: toggle, unmount } = withSetup(() =>
      useActiveToggle<Row>({
        setActive: async (id, active, version) => {
          calls.push([id, active, version])
          if (stale) throw new ApiError(409, { code: 'conflict', message: 'stale', field: 'version' })
          return { id, active, version: version + 1 }
        },
        name: (r) => `row ${r.id}`,
        keys: {
          activateTitle: 'admin.users.activateTitle',
          deactivateTitle: 'admin.users.deactivateTitle',
          activateConfirm: 'admin.users.activateConfirm',
          deactivateConfirm: 'admin.users.deactivateConfirm',
          activated: 'admin.users.activated',
          deactivated: 'admin.users.deactivated',
        },
        pager: { replace: (_p, row) => replaced.push(row), reload: async () => void reloads++ },
      }),
    )
    let done = toggle({ id: 5, active: true, version: 3 })
    expect(confirmState.visible).toBe(true)
    expect(confirmState.danger).toBe(true)
    expect(confirmState.message).toContain('row 5')
    settleConfirm(true)
    await done
    expect(calls).toEqual([[5, false, 3]])
    expect(replaced).toEqual([{ id: 5, active: false, version: 4 }])

    done = toggle({ id: 5, active: false, version: 4 })
    settleConfirm(false)
    await done
    expect(calls.length).toBe(1)

    stale = true
    done = toggle({ id: 5, active: false, version: 4 })
    settleConfirm(true)
    await done
    expect(reloads).toBe(1)
    unmount()
  })
})

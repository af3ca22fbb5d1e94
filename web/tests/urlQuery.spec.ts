// Filters kept in the URL query (composables/urlQuery.ts): reading and comparing queries, comma
// lists as select arrays, and the two-way sync between reactive filters and the route.
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, reactive } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, type LocationQuery } from 'vue-router'
import { csvModel, queryParam, sameQuery, useQuerySync } from '../src/composables/urlQuery'

describe('urlQuery', () => {
  it('reads a parameter given once, else ""', () => {
    const q: LocationQuery = { a: 'x', b: ['1', '2'], c: null }
    expect(queryParam(q, 'a')).toBe('x')
    expect(queryParam(q, 'b')).toBe('')
    expect(queryParam(q, 'c')).toBe('')
    expect(queryParam(q, 'd')).toBe('')
  })

  it('compares a page query with the route query', () => {
    expect(sameQuery({ a: 'x' }, { a: 'x' })).toBe(true)
    expect(sameQuery({}, {})).toBe(true)
    expect(sameQuery({ a: 'x' }, { a: 'y' })).toBe(false)
    expect(sameQuery({ a: 'x' }, { a: 'x', b: '1' })).toBe(false)
    expect(sameQuery({ a: 'x' }, { a: ['x'] })).toBe(false)
  })

  it('shows a comma list as an array and writes it back', () => {
    const f = reactive({ status: 'new,assigned', other: '' })
    const m = csvModel(f, 'status')
    expect(m.value).toEqual(['new', 'assigned'])
    m.value = []
    expect(f.status).toBe('')
    expect(m.value).toEqual([])
    m.value = ['closed']
    expect(f.status).toBe('closed')
  })

  it('keeps the filters and the URL in step both ways, on its own route only', async () => {
    interface F { flag: string; team: string }
    const fromQuery = (q: LocationQuery): F => ({ flag: queryParam(q, 'flag') || 'all', team: queryParam(q, 'team') })
    const toQuery = (f: F) => ({ ...(f.flag !== 'all' ? { flag: f.flag } : {}), ...(f.team ? { team: f.team } : {}) })
    let filters!: F
    const Page = defineComponent({
      setup() {
        filters = reactive(fromQuery(router.currentRoute.value.query))
        useQuerySync(filters, { routeName: 'page', fromQuery, toQuery })
        return () => h('div')
      },
    })
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/page', name: 'page', component: Page }, { path: '/other', name: 'other', component: Page }],
    })
    await router.push('/page?flag=late')
    const w = mount(Page, { global: { plugins: [router] } })
    expect(filters).toEqual({ flag: 'late', team: '' })

    filters.team = '3'
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/page?flag=late&team=3')
    filters.flag = 'all'
    await flushPromises()
    expect(router.currentRoute.value.query).toEqual({ team: '3' })

    await router.push('/page?flag=risk')
    await nextTick()
    expect(filters).toEqual({ flag: 'risk', team: '' })

    // Leaving the page: another route's query is not the page's.
    await router.push('/other?flag=gone')
    await nextTick()
    expect(filters.flag).toBe('risk')
    w.unmount()
  })
})

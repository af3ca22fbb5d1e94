// The agent workspace's helpers: search snippets rendered without HTML, the priority matrix,
// multipart uploads through the API client.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n } from '../src/i18n'
import { matrixPriority, ticketsApi, type PriorityMatrix } from '../src/api/tickets'
import { setCsrfToken } from '../src/api/client'
import { formatMinutes, snippetParts } from '../src/modules/tickets/labels'
import SnippetText from '../src/modules/tickets/SnippetText.vue'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('search snippets', () => {
  it('split into text and marked parts, unescaping the server escapes', () => {
    expect(snippetParts('…公司<mark>网络</mark>中断 &lt;b&gt; &amp; <mark>VPN</mark>')).toEqual([
      { text: '…公司', mark: false },
      { text: '网络', mark: true },
      { text: '中断 <b> & ', mark: false },
      { text: 'VPN', mark: true },
    ])
  })

  it('render only <mark> elements: escaped markup stays text', () => {
    const w = mount(SnippetText, { props: { snippet: 'a <mark>&lt;img src=x onerror=alert(1)&gt;</mark> b <script>' } })
    expect(w.findAll('mark')).toHaveLength(1)
    expect(w.find('mark').text()).toBe('<img src=x onerror=alert(1)>')
    expect(w.find('img').exists()).toBe(false)
    expect(w.find('script').exists()).toBe(false)
    expect(w.text()).toContain('<script>')
  })
})

describe('priority matrix', () => {
  const m: PriorityMatrix = { impact_levels: 3, urgency_levels: 3, cells: ['P1', 'P2', 'P3', 'P2', 'P3', 'P4', 'P3', 'P4', 'P5'], version: 1 }
  it('is row-major by impact', () => {
    expect(matrixPriority(m, 1, 1)).toBe('P1')
    expect(matrixPriority(m, 1, 2)).toBe('P2')
    expect(matrixPriority(m, 2, 3)).toBe('P4')
    expect(matrixPriority(m, 3, 3)).toBe('P5')
    expect(matrixPriority(m, 4, 1)).toBe('')
    expect(matrixPriority(null, 1, 1)).toBe('')
  })
})

describe('durations', () => {
  it('read as hours and minutes in both languages', () => {
    const t = i18n.global.t as (k: string, p?: Record<string, unknown>) => string
    i18n.global.locale.value = 'en'
    expect(formatMinutes(t, 90)).toBe('1 h 30 min')
    expect(formatMinutes(t, 45)).toBe('45 min')
    i18n.global.locale.value = 'zh-CN'
    expect(formatMinutes(t, 120)).toBe('2 小时')
    i18n.global.locale.value = 'en'
  })
})

describe('attachment upload', () => {
  it('posts multipart/form-data with the CSRF token and no JSON content type', async () => {
    const seen: { url: string; init: RequestInit }[] = []
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      seen.push({ url, init })
      return new Response(JSON.stringify({ items: [] }), { status: 201, headers: { 'Content-Type': 'application/json' } })
    })
    setCsrfToken('csrf-1')
    await ticketsApi.upload('INC-000001', [new File(['hello'], 'log.txt', { type: 'text/plain' })], false)
    expect(seen).toHaveLength(1)
    expect(seen[0].url).toBe('/api/v1/tickets/INC-000001/attachments')
    const headers = seen[0].init.headers as Record<string, string>
    expect(headers['X-CSRF-Token']).toBe('csrf-1')
    expect(headers['Content-Type']).toBeUndefined()
    const form = seen[0].init.body as FormData
    expect(form.get('public')).toBe('false')
    expect((form.get('file') as File).name).toBe('log.txt')
  })
})

// The category tree and labels the requester portal and the service-desk admin pages share.
import { describe, expect, it } from 'vitest'
import type { Category } from '../src/api/servicedesk'
import { categoryLabel, categoryPath, categoryTree, formatBytes, localName, statusKey, statusTag } from '../src/modules/portal-tickets/labels'
import en from '../src/i18n/locales/en'

const cat = (id: number, parent_id: number | null, code: string, name: string, name_zh: string, sort_order: number, active = true): Category => ({
  id, parent_id, code, name, name_zh, security: false, active, sort_order, version: 1,
})

const items: Category[] = [
  cat(3, 1, 'network.wifi', 'Wi-Fi', '无线网络', 20),
  cat(1, null, 'network', 'Network', '网络', 10),
  cat(2, 1, 'network.vpn', 'VPN', '', 10),
  cat(4, null, 'old', 'Old', '旧分类', 5, false),
  cat(5, 1, 'network.gone', 'Gone', '', 30, false),
]

describe('service desk labels', () => {
  it('builds the two-level tree by sort order, in the UI language, leaving out inactive ones', () => {
    const tree = categoryTree(items, 'zh-CN', true)
    expect(tree.map((n) => n.label)).toEqual(['网络'])
    expect(tree[0].children?.map((n) => [n.value, n.label])).toEqual([[2, 'VPN'], [3, '无线网络']])
    const all = categoryTree(items, 'en', false)
    expect(all.map((n) => n.label)).toEqual(['Old', 'Network'])
    expect(all[1].children?.map((n) => n.label)).toEqual(['VPN', 'Wi-Fi', 'Gone'])
  })

  it('gives the cascader path and the label of a category', () => {
    expect(categoryPath(items, 3)).toEqual([1, 3])
    expect(categoryPath(items, 1)).toEqual([1])
    expect(categoryPath(items, null)).toEqual([])
    expect(categoryPath(items, 99)).toEqual([])
    expect(categoryLabel(items, 3, 'zh-CN')).toBe('网络 / 无线网络')
    expect(categoryLabel(items, 2, 'zh-CN')).toBe('网络 / VPN')
    expect(localName({ name: 'Service Desk', name_zh: '' }, 'zh-CN')).toBe('Service Desk')
  })

  it('names every ticket state in the catalogue', () => {
    for (const s of ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'reopened', 'fulfilled', 'closed', 'cancelled']) {
      const key = statusKey(s)
      expect(key).not.toBeNull()
      const [, , leaf] = key!.split('.')
      expect((en.portal.status as Record<string, string>)[leaf]).toBeTruthy()
    }
    expect(statusKey('mystery')).toBeNull()
    expect(statusTag('resolved')).toBe('success')
    expect(statusTag('mystery')).toBe('info')
  })

  it('formats file sizes', () => {
    expect(formatBytes(51)).toBe('51 B')
    expect(formatBytes(2048)).toBe('2.0 KB')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB')
  })
})

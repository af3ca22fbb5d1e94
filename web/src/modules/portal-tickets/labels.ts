// Labels the requester portal and the service-desk admin pages share: ticket states and kinds
// (as literal i18n keys, so the catalogue check sees them), the category tree, names in the UI
// language.
import { ApiError } from '@/api/client'
import type { Category } from '@/api/servicedesk'
import { errorText } from '@/composables/formErrors'
import { i18n } from '@/i18n'

const STATUS_KEYS: Record<string, string> = {
  new: 'portal.status.new',
  assigned: 'portal.status.assigned',
  in_progress: 'portal.status.in_progress',
  pending: 'portal.status.pending',
  resolved: 'portal.status.resolved',
  reopened: 'portal.status.reopened',
  fulfilled: 'portal.status.fulfilled',
  closed: 'portal.status.closed',
  cancelled: 'portal.status.cancelled',
  // a standard change raised from the catalog
  scheduled: 'portal.status.scheduled',
  implement: 'portal.status.implement',
  review: 'portal.status.review',
  failed: 'portal.status.failed',
}

const KIND_KEYS: Record<string, string> = {
  incident: 'portal.kind.incident',
  request: 'portal.kind.request',
  change: 'portal.kind.change',
}

type Tag = 'primary' | 'success' | 'warning' | 'info' | 'danger'
const STATUS_TAGS: Record<string, Tag> = {
  new: 'primary',
  assigned: 'primary',
  in_progress: 'warning',
  pending: 'warning',
  reopened: 'danger',
  resolved: 'success',
  fulfilled: 'success',
  closed: 'info',
  cancelled: 'info',
  scheduled: 'primary',
  implement: 'warning',
  review: 'success',
  failed: 'danger',
}

export const FINAL_STATES = ['closed', 'cancelled']

/** i18n key of a ticket state (unknown states: null, show the raw value). */
export function statusKey(status: string): string | null {
  return STATUS_KEYS[status] ?? null
}

export function statusTag(status: string): Tag {
  return STATUS_TAGS[status] ?? 'info'
}

export function kindKey(kind: string): string | null {
  return KIND_KEYS[kind] ?? null
}

/** The Chinese name in zh-CN when there is one, else the name. */
export function localName(x: { name: string; name_zh: string } | null | undefined, locale: string): string {
  if (!x) return ''
  return locale === 'zh-CN' && x.name_zh ? x.name_zh : x.name
}

export interface CategoryNode {
  value: number
  label: string
  category: Category
  children?: CategoryNode[]
  disabled?: boolean
}

/**
 * The two-level tree (parents before children, by sort order) for a cascader or a tree view.
 * `activeOnly` leaves out inactive categories and parents without any active child remain
 * selectable themselves.
 */
export function categoryTree(items: Category[], locale: string, activeOnly: boolean): CategoryNode[] {
  const sorted = [...items].sort((a, b) => a.sort_order - b.sort_order || a.id - b.id)
  const keep = (c: Category) => !activeOnly || c.active
  const roots = sorted.filter((c) => c.parent_id === null && keep(c))
  return roots.map((p) => {
    const kids = sorted
      .filter((c) => c.parent_id === p.id && keep(c))
      .map((c) => ({ value: c.id, label: localName(c, locale), category: c }))
    return { value: p.id, label: localName(p, locale), category: p, children: kids.length ? kids : undefined }
  })
}

/** The path [parent, child] of a category id (for a cascader's value). */
export function categoryPath(items: Category[], id: number | null): number[] {
  if (id === null) return []
  const c = items.find((x) => x.id === id)
  if (!c) return []
  return c.parent_id === null ? [c.id] : [c.parent_id, c.id]
}

/** "Parent / Child" in the UI language. */
export function categoryLabel(items: Category[], id: number | null, locale: string): string {
  return categoryPath(items, id)
    .map((x) => localName(items.find((c) => c.id === x), locale))
    .join(' / ')
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** Why a file was not attached, in the UI language (the size limit from a 413). */
export function uploadErrorText(e: unknown, name: string): string {
  if (e instanceof ApiError && e.status === 413) {
    const m = /limit of (\d+) bytes/.exec(e.message)
    return i18n.global.t('portal.fileTooLarge', { name, size: m ? formatBytes(Number(m[1])) : '' })
  }
  return errorText(e)
}

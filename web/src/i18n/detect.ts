import type { Locale } from '@/api/types'

export const LOCALE_STORAGE_KEY = 'yw.locale'
/** Set when the language was picked before login; the choice then goes to the profile. */
export const LOCALE_PENDING_KEY = 'yw.locale.pending'

export function normalizeLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null
  const t = tag.toLowerCase()
  if (t.startsWith('zh')) return 'zh-CN'
  if (t.startsWith('en')) return 'en'
  return null
}

/** Browser language on first visit: zh* -> zh-CN, anything else -> en. */
export function browserLocale(languages: readonly string[] | undefined): Locale {
  const first = languages && languages.length > 0 ? languages[0] : ''
  return first && first.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export function storedLocale(): Locale | null {
  const v = storage()?.getItem(LOCALE_STORAGE_KEY)
  return v === 'zh-CN' || v === 'en' ? v : null
}

export function storeLocale(locale: Locale, pending: boolean): void {
  const s = storage()
  if (!s) return
  s.setItem(LOCALE_STORAGE_KEY, locale)
  if (pending) s.setItem(LOCALE_PENDING_KEY, '1')
  else s.removeItem(LOCALE_PENDING_KEY)
}

export function hasPendingLocale(): boolean {
  return storage()?.getItem(LOCALE_PENDING_KEY) === '1'
}

export function initialLocale(): Locale {
  const nav = typeof navigator === 'undefined' ? undefined : navigator
  const langs = nav ? (nav.languages && nav.languages.length ? nav.languages : [nav.language]) : []
  return storedLocale() ?? browserLocale(langs)
}

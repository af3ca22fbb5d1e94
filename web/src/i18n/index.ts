import { createI18n } from 'vue-i18n'
import type { Locale } from '@/api/types'
import en from './locales/en'
import zhCN from './locales/zh-CN'
import { initialLocale } from './detect'

export type MessageSchema = typeof en

export const messages = { en, 'zh-CN': zhCN } as const

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: messages as unknown as Record<Locale, MessageSchema>,
  missingWarn: false,
  fallbackWarn: false,
})

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

/** Switches the UI language (no persistence; see stores/session.ts). */
export function applyLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

/** Marks a string as an i18n key for the catalogue test; returns it unchanged. */
export function k<T extends string>(key: T): T {
  return key
}

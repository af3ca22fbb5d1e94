import { useI18n } from 'vue-i18n'
import { useSessionStore } from '@/stores/session'
import { formatDateTime, type DateStyle } from '@/utils/datetime'
import type { Team } from '@/api/types'

/** Formatting helpers bound to the UI language and the user's time zone. */
export function useFormat() {
  const { locale } = useI18n()
  const session = useSessionStore()
  return {
    dt: (v: string | number | null | undefined, style: DateStyle = 'datetime') =>
      formatDateTime(v, locale.value, session.timeZone, style),
    teamName: (t: Pick<Team, 'name' | 'name_zh'> | null | undefined) => teamName(t, locale.value),
  }
}

/** The team's Chinese name in zh-CN when it has one, else its name. */
export function teamName(t: Pick<Team, 'name' | 'name_zh'> | null | undefined, locale: string): string {
  if (!t) return ''
  return locale === 'zh-CN' && t.name_zh ? t.name_zh : t.name
}

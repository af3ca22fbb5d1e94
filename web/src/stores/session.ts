import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, setCsrfToken } from '@/api/client'
import { authApi, meApi, type MePatchBody } from '@/api/endpoints'
import type { Locale, Me, Permission } from '@/api/types'
import { applyLocale, currentLocale } from '@/i18n'
import { hasPendingLocale, storeLocale } from '@/i18n/detect'
import { browserTimeZone } from '@/utils/datetime'

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  /** True once we asked the server who we are (logged in or not). */
  const checked = ref(false)

  const loggedIn = computed(() => me.value !== null)
  /** Staff (any role that may read users) get the agent workspace; requesters the portal. */
  const isStaff = computed(() => !!me.value?.permissions?.users_read)
  const timeZone = computed(() => me.value?.time_zone || browserTimeZone())

  function can(p: Permission | undefined): boolean {
    if (!p) return true
    return !!me.value?.permissions?.[p]
  }

  function setMe(m: Me | null): void {
    me.value = m
    if (m?.csrf_token) setCsrfToken(m.csrf_token)
    if (!m) setCsrfToken('')
  }

  /**
   * Asks the server whether this browser has a session (GET /api/v1/auth/session, public and
   * never a 401, so a first visit logs no error in the console) and applies the profile's
   * language. Throws only when the server cannot be reached or fails.
   */
  async function load(): Promise<Me | null> {
    try {
      const s = await authApi.session()
      setMe(s.authenticated && s.user ? { ...s.user, csrf_token: s.csrf_token || s.user.csrf_token } : null)
    } finally {
      checked.value = true
    }
    if (me.value) await syncLocale()
    return me.value
  }

  /** Reloads the profile during a session (after a 409); a 401 here goes to the login page. */
  async function refresh(): Promise<Me> {
    const m = await meApi.get()
    setMe(m)
    return m
  }

  /**
   * After login: a language picked on the login page goes to the profile; otherwise the
   * profile's language wins.
   */
  async function syncLocale(): Promise<void> {
    const m = me.value
    if (!m) return
    const ui = currentLocale()
    if (hasPendingLocale() && m.locale !== ui) {
      try {
        setMe(await meApi.patch({ locale: ui, version: m.version }))
        storeLocale(ui, false)
        return
      } catch {
        // Keep the profile's language if the profile could not be updated.
      }
    }
    storeLocale(m.locale, false)
    applyLocale(m.locale)
  }

  async function login(username: string, password: string): Promise<Me | null> {
    const res = await authApi.login(username, password)
    setCsrfToken(res.csrf_token)
    return load()
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } catch {
      // The session may already be gone; either way we are logged out here.
    }
    clear()
  }

  function clear(): void {
    setMe(null)
    checked.value = true
  }

  async function updateProfile(patch: Omit<MePatchBody, 'version'>): Promise<Me> {
    if (!me.value) throw new Error('not logged in')
    const updated = await meApi.patch({ ...patch, version: me.value.version })
    setMe(updated)
    if (patch.locale) {
      storeLocale(updated.locale, false)
      applyLocale(updated.locale)
    }
    return updated
  }

  /** The language switcher: saved to the profile when logged in, else to localStorage. */
  async function setLocale(locale: Locale): Promise<void> {
    applyLocale(locale)
    if (!me.value) {
      storeLocale(locale, true)
      return
    }
    storeLocale(locale, false)
    if (me.value.locale === locale) return
    try {
      await updateProfile({ locale })
    } catch (e) {
      if (e instanceof ApiError && e.isStaleVersion) {
        const fresh = await refresh()
        if (fresh.locale !== locale) await updateProfile({ locale })
      } else {
        throw e
      }
    }
  }

  return { me, checked, loggedIn, isStaff, timeZone, can, setMe, load, refresh, login, logout, clear, updateProfile, setLocale }
})

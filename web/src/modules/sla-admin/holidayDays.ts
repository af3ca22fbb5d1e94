// The days of holiday sets per year, fetched once each (GET /api/v1/holiday-sets/{key}/days)
// and kept while the page lives.
import { reactive } from 'vue'
import { holidaySetsApi, type HolidayDay } from '@/api/sla'
import { showError } from '@/composables/formErrors'

export function useHolidayDays() {
  const cache = reactive(new Map<string, HolidayDay[]>())
  const pending = new Map<string, Promise<void>>()
  const id = (key: string, year: number) => `${key}:${year}`

  /** Loads what is missing for these sets and year; errors become a message. */
  async function ensure(keys: string[], year: number): Promise<void> {
    await Promise.all(
      keys.map((key) => {
        const k = id(key, year)
        if (cache.has(k)) return undefined
        let p = pending.get(k)
        if (!p) {
          p = holidaySetsApi
            .days(key, year)
            .then((r) => void cache.set(k, r.items))
            .catch((e) => {
              cache.set(k, [])
              showError(e)
            })
            .finally(() => pending.delete(k))
          pending.set(k, p)
        }
        return p
      }),
    )
  }

  /** The days loaded so far for these sets and year, one list per set. */
  function lists(keys: string[], year: number): HolidayDay[][] {
    return keys.map((key) => cache.get(id(key, year)) ?? [])
  }

  function loaded(keys: string[], year: number): boolean {
    return keys.every((key) => cache.has(id(key, year)))
  }

  return { ensure, lists, loaded }
}

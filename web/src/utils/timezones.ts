// IANA time zones for the time zone pickers.
import { formatOffset, zoneOffsetMinutes } from './datetime'

export interface ZoneOption {
  value: string
  label: string
}

let cache: ZoneOption[] | null = null

export function timeZoneNames(): string[] {
  let names: string[] = []
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] }
  try {
    names = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : []
  } catch {
    names = []
  }
  if (names.length === 0) names = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Tokyo', 'Europe/London', 'America/New_York']
  if (!names.includes('UTC')) names = [...names, 'UTC']
  return names
}

/** Every zone with its current UTC offset, e.g. "Asia/Shanghai (UTC+08:00)". */
export function timeZoneOptions(): ZoneOption[] {
  if (cache) return cache
  const now = Date.now()
  cache = timeZoneNames().map((z) => {
    let off = ''
    try {
      off = ` (UTC${formatOffset(zoneOffsetMinutes(z, now))})`
    } catch {
      off = ''
    }
    return { value: z, label: `${z}${off}` }
  })
  return cache
}

/** Options for a picker, making sure `current` is among them even if the browser lacks it. */
export function timeZoneOptionsWith(current: string | undefined): ZoneOption[] {
  const opts = timeZoneOptions()
  if (current && !opts.some((o) => o.value === current)) return [{ value: current, label: current }, ...opts]
  return opts
}

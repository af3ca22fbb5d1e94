import { describe, expect, it } from 'vitest'
import { addDays, formatDateTime, todayIn, zonedIso, zoneOffsetMinutes } from '../src/utils/datetime'
import { browserLocale, normalizeLocale } from '../src/i18n/detect'
import { timeZoneOptionsWith } from '../src/utils/timezones'

describe('dates in the user time zone', () => {
  it('formats an instant in the profile time zone', () => {
    const iso = '2026-03-01T16:30:00Z'
    expect(formatDateTime(iso, 'en', 'Asia/Shanghai')).toContain('00:30')
    expect(formatDateTime(iso, 'en', 'Asia/Shanghai')).toContain('03/02/2026')
    expect(formatDateTime(iso, 'zh-CN', 'Asia/Shanghai')).toContain('2026/03/02')
    expect(formatDateTime(iso, 'en', 'Europe/London')).toContain('16:30')
    expect(formatDateTime(null, 'en', 'UTC')).toBe('')
    expect(formatDateTime('not a date', 'en', 'UTC')).toBe('')
  })

  it('knows zone offsets, with daylight saving', () => {
    expect(zoneOffsetMinutes('Asia/Shanghai', Date.UTC(2026, 0, 1))).toBe(480)
    expect(zoneOffsetMinutes('America/New_York', Date.UTC(2026, 0, 15))).toBe(-300)
    expect(zoneOffsetMinutes('America/New_York', Date.UTC(2026, 6, 15))).toBe(-240)
  })

  it('turns a local date and time into ISO with the zone offset', () => {
    expect(zonedIso('2026-01-31', '23:59:59', 'Asia/Shanghai')).toBe('2026-01-31T23:59:59+08:00')
    expect(zonedIso('2026-07-04', '23:59:59', 'America/New_York')).toBe('2026-07-04T23:59:59-04:00')
    expect(Date.parse(zonedIso('2026-01-31', '23:59:59', 'Asia/Shanghai'))).toBe(Date.UTC(2026, 0, 31, 15, 59, 59))
  })

  it('computes today in a zone and adds days', () => {
    const now = new Date(Date.UTC(2026, 0, 31, 17, 0, 0)) // 01:00 on Feb 1st in Shanghai
    expect(todayIn('Asia/Shanghai', now)).toBe('2026-02-01')
    expect(todayIn('UTC', now)).toBe('2026-01-31')
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01')
  })

  it('lists IANA zones and keeps an unknown current one', () => {
    const opts = timeZoneOptionsWith('Asia/Shanghai')
    expect(opts.some((o) => o.value === 'Asia/Shanghai' && o.label.includes('UTC+08:00'))).toBe(true)
    expect(timeZoneOptionsWith('Mars/Olympus')[0].value).toBe('Mars/Olympus')
  })
})

describe('language detection', () => {
  it('maps zh* to zh-CN and anything else to en', () => {
    expect(browserLocale(['zh-TW', 'en'])).toBe('zh-CN')
    expect(browserLocale(['zh'])).toBe('zh-CN')
    expect(browserLocale(['en-GB', 'zh-CN'])).toBe('en')
    expect(browserLocale(['fr-FR'])).toBe('en')
    expect(browserLocale([])).toBe('en')
    expect(normalizeLocale('zh-Hans-CN')).toBe('zh-CN')
    expect(normalizeLocale('de')).toBeNull()
  })
})

// Maintenance window ranges as the API takes them, one per line: "Sat 22:00-Sun 06:00" (a
// weekday and a time, a dash, a weekday and a time; the end may fall on a later day, wrapping
// over Sunday) or "Sat 22:00-23:30" on the same day. The server checks them again.
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const HHMM = '(?:(?:[01]\\d|2[0-3]):[0-5]\\d|24:00)'
const RANGE = new RegExp(`^${DAY} ${HHMM}\\s*-\\s*(?:${DAY} )?${HHMM}$`)

export function validRange(r: string): boolean {
  return RANGE.test(r.trim())
}

/** The ranges that do not look like "Sat 22:00-Sun 06:00". */
export function badRanges(ranges: string[]): string[] {
  return ranges.filter((r) => !validRange(r))
}

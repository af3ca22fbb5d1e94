// Maps API errors onto form fields: {"error":{"field":"email"}} shows next to the email
// input; anything else becomes a toast message.
import { reactive } from 'vue'
import { ApiError } from '@/api/client'
import { i18n } from '@/i18n'

export type FieldErrors = Record<string, string>

// Server messages we know, shown in the UI language; anything else is shown as sent.
const KNOWN: Array<[RegExp, string]> = [
  [/^is required/, 'serverMsg.required'],
  [/^must be at least (\d+) characters/, 'serverMsg.minChars'],
  [/^must be at most (\d+) characters/, 'serverMsg.maxChars'],
  [/^must be 2 to 64 characters/, 'serverMsg.usernameLength'],
  [/^may contain only lower-case letters/, 'serverMsg.usernameChars'],
  [/^username is taken/, 'serverMsg.usernameTaken'],
  [/^is wrong/, 'serverMsg.wrongPassword'],
  [/^is not an email address/, 'serverMsg.email'],
  [/^may contain only digits/, 'serverMsg.phone'],
  [/^needs at least one role/, 'serverMsg.roles'],
  [/^unknown IANA time zone/, 'serverMsg.timeZone'],
  [/^must be in the future/, 'serverMsg.future'],
  [/^a team with this name exists/, 'serverMsg.teamExists'],
  [/^the last active admin must stay admin/, 'serverMsg.lastAdminRole'],
  [/^the last active admin cannot be deactivated/, 'serverMsg.lastAdminDeactivate'],
  [/^you cannot deactivate your own account/, 'serverMsg.selfDeactivate'],
  [/^inactive users cannot have tokens/, 'serverMsg.inactiveTokens'],
  [/^user \d+ is inactive/, 'serverMsg.userInactive'],
  [/^must not contain control characters/, 'serverMsg.controlChars'],
  // Business calendars and holiday sets.
  [/^times are HH:MM from 00:00 to 24:00/, 'serverMsg.hhmm'],
  [/^each range must start before it ends/, 'serverMsg.rangeOrder'],
  [/^ranges must be in order and must not overlap/, 'serverMsg.rangeOverlap'],
  [/^at most (\d+) ranges a day/, 'serverMsg.rangesPerDay'],
  [/^must be a date \(YYYY-MM-DD\)/, 'serverMsg.date'],
  [/^(\d{4}-\d\d-\d\d) is given twice/, 'serverMsg.dateTwice'],
  [/^(?:must be an IANA time zone|unknown time zone)/, 'serverMsg.timeZone'],
  [/^no holiday set "([^"]*)"/, 'serverMsg.noHolidaySet'],
  [/^a holiday set "[^"]*" exists/, 'serverMsg.holidaySetExists'],
  [/^a calendar named "[^"]*" exists/, 'serverMsg.calendarExists'],
  [/^2 to 40 lower-case letters, digits and hyphens/, 'serverMsg.setKey'],
  // SLA policies.
  [/^must be (?:a whole number from )?1 to 500/, 'serverMsg.percent1to500'],
  [/^thresholds go in rising order/, 'serverMsg.thresholdOrder'],
  [/^must be between 1 minute and a year/, 'serverMsg.minutesRange'],
  [/^a policy needs a response or a resolution target/, 'serverMsg.needsTarget'],
  [/^the calendar is inactive/, 'serverMsg.calendarInactive'],
  [/^the team has a target already/, 'serverMsg.olaTeamTwice'],
  [/^no team with id/, 'serverMsg.noTeam'],
  [/^no category with id/, 'serverMsg.noCategory'],
  [/^no calendar with id/, 'serverMsg.noCalendar'],
  [/^is required to reassign/, 'serverMsg.reassignTeam'],
  [/^is listed twice/, 'serverMsg.listedTwice'],
]

/** A server message in the UI language when it is one we know. */
export function serverMessage(message: string): string {
  const t = i18n.global.t
  for (const [re, key] of KNOWN) {
    const m = re.exec(message)
    if (m) return t(key, { n: m[1] ?? '' })
  }
  return message
}

/** The localized text for an error, keeping the server's detail. */
export function errorText(e: unknown): string {
  const t = i18n.global.t
  if (e instanceof ApiError) {
    if (e.status === 0) return t('errors.network')
    if (e.status === 429) return t('errors.tooMany', { seconds: e.retryAfter || 60 })
    if (e.status === 403) return t('errors.forbidden')
    if (e.status === 404) return t('errors.notFound')
    if (e.isStaleVersion) return t('errors.stale')
    if (e.status >= 500) return t('errors.server')
    return serverMessage(e.message)
  }
  return e instanceof Error && e.message ? e.message : t('errors.unknown')
}

export function showError(e: unknown): void {
  ElMessage({ type: 'error', message: errorText(e), showClose: true, grouping: true })
}

export function useFormErrors<F extends string>(fields: readonly F[]) {
  const errors = reactive<Record<string, string>>({})

  function clear(): void {
    for (const k of Object.keys(errors)) delete errors[k]
  }

  /**
   * Puts an API error on its field when the form has it; returns true if it did.
   * Otherwise shows it as a message (unless `silent`).
   */
  function apply(e: unknown, opts: { silent?: boolean; aliases?: Record<string, F> } = {}): boolean {
    clear()
    if (e instanceof ApiError && e.field) {
      const base = e.field.replace(/\[\d+\]$/, '')
      const f = (opts.aliases?.[base] ?? base) as F
      if ((fields as readonly string[]).includes(f) && !e.isStaleVersion) {
        errors[f] = serverMessage(e.message)
        return true
      }
    }
    if (!opts.silent) showError(e)
    return false
  }

  return { errors, clear, apply }
}

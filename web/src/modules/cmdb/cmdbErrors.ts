// The CMDB's server messages in the UI language (schema checks, unique values, relations,
// import lines); anything else goes through the shared serverMessage (shown as sent when
// unknown).
import { i18n } from '@/i18n'
import { serverMessage } from '@/composables/formErrors'

const KNOWN: Array<[RegExp, string, (m: RegExpExecArray) => Record<string, string>]> = [
  [/^'(.*)' is already the [a-z0-9_]+ of (.*)$/, 'cmdb.serverMsg.taken', (m) => ({ value: m[1], name: m[2] })],
  [/^"(.*)" is already the [a-z0-9_]+ of (.*)$/, 'cmdb.serverMsg.taken', (m) => ({ value: m[1], name: m[2] })],
  [/^must be a whole number/, 'cmdb.serverMsg.integer', () => ({})],
  [/^must be a number with at most 15 digits/, 'cmdb.serverMsg.decimalSize', () => ({})],
  [/^must be a number$/, 'cmdb.serverMsg.decimal', () => ({})],
  [/^must be a date/, 'cmdb.serverMsg.date', () => ({})],
  [/^must be an IPv4 or IPv6 address/, 'cmdb.serverMsg.ip', () => ({})],
  [/^must be one of (.*)$/, 'cmdb.serverMsg.oneOf', (m) => ({ values: m[1] })],
  [/^must be true or false/, 'cmdb.serverMsg.boolean', () => ({})],
  [/^must be the id of a ([a-z0-9_]+) CI/, 'cmdb.serverMsg.reference', (m) => ({ type: m[1] })],
  [/^is not an attribute of this type/, 'cmdb.serverMsg.notAttribute', () => ({})],
  [/^a CI cannot relate to itself/, 'cmdb.serverMsg.self', () => ({})],
  [/^no CI with id/, 'cmdb.serverMsg.noCi', () => ({})],
  [/^is used twice/, 'cmdb.serverMsg.twice', () => ({})],
  [/^must be a-z, 0-9 and _/, 'cmdb.schema.badKey', () => ({})],
  [/^an enum needs 1 to 100 options/, 'cmdb.schema.needOptions', () => ({})],
  [/^a [a-z]+ attribute cannot be unique/, 'cmdb.serverMsg.cannotBeUnique', () => ({})],
  [/^a unique attribute has no default/, 'cmdb.serverMsg.uniqueDefault', () => ({})],
  [/^a reference has no default/, 'cmdb.serverMsg.referenceDefault', () => ({})],
  [/^(?:is required|must not be empty)/, 'cmdb.form.required', () => ({})],
]

export function cmdbMessage(message: string): string {
  for (const [re, key, values] of KNOWN) {
    const m = re.exec(message)
    if (m) return i18n.global.t(key, values(m))
  }
  return serverMessage(message)
}

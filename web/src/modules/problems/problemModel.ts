// The problem pages' logic without Vue: the root cause analysis form and its PATCH (only what
// changed), what a transition needs (body fields typed in the dialog, record fields that must be
// filled: root cause, permanent fix), the known-error switch's preconditions, the candidates
// queue (selection, the new problem's prefill) and incident numbers typed as a list.
import type { CandidateGroup, CandidateGrouping, ProblemInfo, ProblemPatch, ProblemTextField } from '@/api/problems'

export const RCA_FIELDS: ProblemTextField[] = ['symptoms', 'root_cause', 'workaround', 'permanent_fix']

export type RcaForm = Record<ProblemTextField, string>

export function rcaForm(p: ProblemInfo | null | undefined): RcaForm {
  return {
    symptoms: p?.symptoms ?? '',
    root_cause: p?.root_cause ?? '',
    workaround: p?.workaround ?? '',
    permanent_fix: p?.permanent_fix ?? '',
  }
}

/** The PATCH of an edited RCA form: the version and the fields that changed (trimmed); null when nothing did. */
export function rcaPatch(before: ProblemInfo, form: RcaForm, version: number): ProblemPatch | null {
  const patch: ProblemPatch = { version }
  let changed = false
  for (const f of RCA_FIELDS) {
    const v = form[f].trim()
    if (v !== (before[f] ?? '').trim()) {
      patch[f] = v
      changed = true
    }
  }
  return changed ? patch : null
}

/** Whether two id lists hold the same ids (order aside). */
export function sameIds(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false
  const s = new Set(a)
  return b.every((x) => s.has(x))
}

/** Transition fields typed in the dialog (sent in the body). */
export const PROBLEM_BODY_FIELDS = ['resolution_code', 'resolution_notes', 'cancel_reason', 'reopen_reason', 'assignee_team_id'] as const

/** Transition fields that live on the problem record (filled in the dialog, saved with PATCH first). */
export const PROBLEM_RECORD_FIELDS: ProblemTextField[] = ['root_cause', 'permanent_fix', 'workaround', 'symptoms']

export function splitRequired(required: string[]): { body: string[]; record: ProblemTextField[] } {
  const record = required.filter((f): f is ProblemTextField => (PROBLEM_RECORD_FIELDS as string[]).includes(f))
  const body = required.filter((f) => !(PROBLEM_RECORD_FIELDS as string[]).includes(f))
  return { body, record }
}

/** Why the known-error switch cannot be turned on ('' when it can). */
export function publishBlocker(p: ProblemInfo, status: string): '' | 'needsWorkaround' | 'final' {
  if (status === 'cancelled') return 'final'
  if (!p.workaround.trim()) return 'needsWorkaround'
  return ''
}

/** Linked incidents still open (not resolved, closed or cancelled). */
export function openIncidents(p: ProblemInfo): number {
  return p.incidents.filter((i) => !['resolved', 'closed', 'cancelled'].includes(i.status)).length
}

/** A group's stable key for selection state ("ci:12", "category:4", "name:…"). */
export function groupKey(g: CandidateGroup): string {
  if (g.key.ci_id !== undefined && g.key.ci_id !== null) return `ci:${g.key.ci_id}`
  if (g.key.category_id !== undefined && g.key.category_id !== null) return `category:${g.key.category_id}`
  return `name:${g.key.name}`
}

export interface ProblemPrefill {
  title: string
  incident_numbers: string[]
  ci_ids: number[]
  category_id: number | null
}

/**
 * What a new problem starts with when raised from a candidates group: the incidents chosen (all
 * of the group when none is), the group's CI, and a title the caller's language gives
 * (`titleFor(name, count)`).
 */
export function prefillFromGroup(g: CandidateGroup, chosen: string[], grouping: CandidateGrouping, titleFor: (name: string, count: number) => string): ProblemPrefill {
  const incidents = chosen.length ? g.incidents.filter((i) => chosen.includes(i.number)).map((i) => i.number) : g.incidents.map((i) => i.number)
  return {
    title: titleFor(g.key.name, incidents.length),
    incident_numbers: incidents,
    ci_ids: grouping === 'ci' && g.key.ci_id ? [g.key.ci_id] : [],
    category_id: grouping === 'category' && g.key.category_id ? g.key.category_id : null,
  }
}

/** Incident numbers typed as a list ("INC-000001, INC-2 inc-3"): normalised, de-duplicated. */
export function parseIncidentNumbers(text: string): { numbers: string[]; bad: string[] } {
  const numbers: string[] = []
  const bad: string[] = []
  for (const raw of text.split(/[\s,，;；]+/)) {
    if (!raw) continue
    const m = /^INC-?(\d{1,9})$/i.exec(raw)
    if (!m) {
      bad.push(raw)
      continue
    }
    const n = `INC-${m[1].padStart(6, '0')}`
    if (!numbers.includes(n)) numbers.push(n)
  }
  return { numbers, bad }
}

// i18n keys and colours of the problem pages' vocabularies, written out so tests/i18n.spec.ts
// sees each key used.

export const PROBLEM_STATUS_KEYS: Record<string, string> = {
  new: 'problems.status.new',
  assessed: 'problems.status.assessed',
  root_cause_analysis: 'problems.status.root_cause_analysis',
  fix_in_progress: 'problems.status.fix_in_progress',
  resolved: 'problems.status.resolved',
  closed: 'problems.status.closed',
  cancelled: 'problems.status.cancelled',
}

export const PROBLEM_STATUS_COLORS: Record<string, string> = {
  new: '#2f6fed',
  assessed: '#6a5acd',
  root_cause_analysis: '#e6a23c',
  fix_in_progress: '#d4800f',
  resolved: '#2e9e5b',
  closed: '#7a8599',
  cancelled: '#b1b6c0',
}

/** Button texts of the transitions to each state. */
export const PROBLEM_TRANSITION_KEYS: Record<string, string> = {
  assessed: 'problems.transition.assessed',
  root_cause_analysis: 'problems.transition.root_cause_analysis',
  fix_in_progress: 'problems.transition.fix_in_progress',
  resolved: 'problems.transition.resolved',
  closed: 'problems.transition.closed',
  cancelled: 'problems.transition.cancelled',
}

export const PROBLEM_FIELD_KEYS: Record<string, string> = {
  symptoms: 'problems.field.symptoms',
  root_cause: 'problems.field.root_cause',
  workaround: 'problems.field.workaround',
  permanent_fix: 'problems.field.permanent_fix',
}

export const PROBLEM_FIELD_HINT_KEYS: Record<string, string> = {
  symptoms: 'problems.fieldHint.symptoms',
  root_cause: 'problems.fieldHint.root_cause',
  workaround: 'problems.fieldHint.workaround',
  permanent_fix: 'problems.fieldHint.permanent_fix',
}

export const REASON_KEYS: Record<string, string> = {
  same_ci: 'problems.reason.same_ci',
  same_service: 'problems.reason.same_service',
  similar_text: 'problems.reason.similar_text',
}

/** Timeline entries of problems: their own events, states and fields (TimelineList's vocab). */
export const PROBLEM_TIMELINE_VOCAB = {
  actions: {
    'problem.update': 'problems.action.update',
    'problem.known_error': 'problems.action.known_error',
    'problem.resolve_incidents': 'problems.action.resolve_incidents',
  } as Record<string, string>,
  statuses: PROBLEM_STATUS_KEYS,
  fields: { ...PROBLEM_FIELD_KEYS, ci_ids: 'problems.field.cis', known_error: 'problems.knownError.title' } as Record<string, string>,
}

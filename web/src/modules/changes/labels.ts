// i18n keys and colours of the change pages' vocabularies, written out so tests/i18n.spec.ts
// sees each key used.

export const CHANGE_STATUS_KEYS: Record<string, string> = {
  new: 'changes.status.new',
  assess: 'changes.status.assess',
  authorise: 'changes.status.authorise',
  scheduled: 'changes.status.scheduled',
  implement: 'changes.status.implement',
  review: 'changes.status.review',
  failed: 'changes.status.failed',
  closed: 'changes.status.closed',
  cancelled: 'changes.status.cancelled',
}

export const CHANGE_STATUS_COLORS: Record<string, string> = {
  new: '#2f6fed',
  assess: '#6a5acd',
  authorise: '#d4800f',
  scheduled: '#0e8f8f',
  implement: '#e6a23c',
  review: '#8e44ad',
  failed: '#d93026',
  closed: '#7a8599',
  cancelled: '#b1b6c0',
}

export const CHANGE_TRANSITION_KEYS: Record<string, string> = {
  new: 'changes.transition.new',
  assess: 'changes.transition.assess',
  authorise: 'changes.transition.authorise',
  scheduled: 'changes.transition.scheduled',
  implement: 'changes.transition.implement',
  review: 'changes.transition.review',
  failed: 'changes.transition.failed',
  closed: 'changes.transition.closed',
  cancelled: 'changes.transition.cancelled',
}

export const CHANGE_TYPE_KEYS: Record<string, string> = {
  standard: 'changes.type.standard',
  normal: 'changes.type.normal',
  emergency: 'changes.type.emergency',
}

export const CHANGE_TYPE_HINT_KEYS: Record<string, string> = {
  standard: 'changes.typeHint.standard',
  normal: 'changes.typeHint.normal',
  emergency: 'changes.typeHint.emergency',
}

export const RISK_KEYS: Record<string, string> = {
  low: 'changes.risk.low',
  medium: 'changes.risk.medium',
  high: 'changes.risk.high',
}

export const CONFLICT_KEYS: Record<string, string> = {
  change_overlap: 'changes.conflict.change_overlap',
  freeze_window: 'changes.conflict.freeze_window',
  outside_maintenance_window: 'changes.conflict.outside_maintenance_window',
}

export const GROUP_KEYS: Record<string, string> = {
  team_lead: 'changes.group.team_lead',
  cab: 'changes.group.cab',
  ecab: 'changes.group.ecab',
}

export const RULE_KEYS: Record<string, string> = {
  any: 'changes.rule.any',
  all: 'changes.rule.all',
  majority: 'changes.rule.majority',
}

export const STEP_STATE_KEYS: Record<string, string> = {
  open: 'changes.stepState.open',
  waiting: 'changes.stepState.waiting',
  approved: 'changes.stepState.approved',
  rejected: 'changes.stepState.rejected',
}

export const APPROVAL_STATE_KEYS: Record<string, string> = {
  pending: 'changes.approvalState.pending',
  approved: 'changes.approvalState.approved',
  rejected: 'changes.approvalState.rejected',
}

export const OUTCOME_KEYS: Record<string, string> = {
  successful: 'changes.outcome.successful',
  partial: 'changes.outcome.partial',
  failed: 'changes.outcome.failed',
}

/** Names of the fields transitions require (record fields and body fields). */
export const CHANGE_FIELD_KEYS: Record<string, string> = {
  implementation_plan: 'changes.field.implementation_plan',
  backout_plan: 'changes.field.backout_plan',
  test_plan: 'changes.field.test_plan',
  planned_start: 'changes.field.planned_start',
  planned_end: 'changes.field.planned_end',
  ci_ids: 'changes.field.ci_ids',
  risk_assessment: 'changes.field.risk_assessment',
  review_outcome: 'changes.field.review_outcome',
  reason: 'changes.field.reason',
}

export const ROLE_KEYS: Record<string, string> = {
  implementer: 'changes.role.implementer',
  change_manager: 'changes.role.change_manager',
}

/** Timeline entries of changes: their own events, states and fields (TimelineList's vocab). */
export const CHANGE_TIMELINE_VOCAB = {
  actions: {
    'change.plan': 'changes.action.plan',
    'change.approval_requested': 'changes.action.approval_requested',
    'change.approval': 'changes.action.approval',
    'change.approved': 'changes.action.approved',
    'change.rejected': 'changes.action.rejected',
    'change.conflicts_override': 'changes.action.conflicts_override',
    'change.review': 'changes.action.review',
  } as Record<string, string>,
  statuses: CHANGE_STATUS_KEYS,
  fields: { ...CHANGE_FIELD_KEYS, change_type: 'changes.field.type' } as Record<string, string>,
}

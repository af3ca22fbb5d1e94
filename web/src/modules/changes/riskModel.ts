// The change risk questionnaire in the browser: the live score and level of the answers (the
// server's rule: the chosen options' scores added up; low below medium_from, medium from
// medium_from, high from high_from), the approval path that type and level choose (as
// src/change/risk.cpp has it), texts in the UI language, and the admin's JSON editor checks.
import type { ChangeType, Questionnaire, RiskLevel, RiskOption, RiskQuestion } from '@/api/changes'

export interface RiskScore {
  score: number
  level: RiskLevel
  answered: number
  total: number
  /** Every question answered with one of its options. */
  complete: boolean
  /** The highest score the questionnaire allows. */
  max: number
}

export function levelOf(q: Pick<Questionnaire, 'thresholds'>, score: number): RiskLevel {
  if (score >= q.thresholds.high_from) return 'high'
  if (score >= q.thresholds.medium_from) return 'medium'
  return 'low'
}

export function maxScore(q: Questionnaire): number {
  return q.questions.reduce((sum, question) => sum + Math.max(0, ...question.options.map((o) => o.score)), 0)
}

/** Score and level of `answers` (question key -> option value); unknown values count 0. */
export function riskScore(q: Questionnaire, answers: Record<string, string | undefined>): RiskScore {
  let score = 0
  let answered = 0
  for (const question of q.questions) {
    const chosen = question.options.find((o) => o.value === answers[question.key])
    if (!chosen) continue
    answered++
    score += chosen.score
  }
  const total = q.questions.length
  return { score, level: levelOf(q, score), answered, total, complete: answered === total, max: maxScore(q) }
}

/** Only the answers to the questionnaire's questions, with values it knows. */
export function cleanAnswers(q: Questionnaire, answers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const question of q.questions) {
    const v = answers[question.key]
    if (v && question.options.some((o) => o.value === v)) out[question.key] = v
  }
  return out
}

export function questionText(question: RiskQuestion, locale: string): string {
  return locale === 'zh-CN' && question.text_zh ? question.text_zh : question.text
}

export function optionLabel(option: RiskOption, locale: string): string {
  return locale === 'zh-CN' && option.label_zh ? option.label_zh : option.label || option.value
}

export interface PathStep {
  group: 'team_lead' | 'cab' | 'ecab'
  rule: 'any' | 'all' | 'majority'
}

/** The approval steps a change of this type and risk level goes through (none for standard). */
export function approvalPath(type: ChangeType | string, level: RiskLevel | null): PathStep[] {
  if (type === 'emergency') return [{ group: 'ecab', rule: 'any' }]
  if (type !== 'normal') return []
  switch (level) {
    case 'high':
      return [{ group: 'team_lead', rule: 'any' }, { group: 'cab', rule: 'all' }]
    case 'medium':
      return [{ group: 'team_lead', rule: 'any' }, { group: 'cab', rule: 'majority' }]
    default:
      return [{ group: 'team_lead', rule: 'any' }]
  }
}

export interface JsonCheck {
  ok: boolean
  value: Questionnaire | null
  /** i18n key of the problem and its parameters. */
  error?: { key: string; params: Record<string, string | number> }
}

const KEY_RE = /^[a-z][a-z0-9_]{0,39}$/

/**
 * The questionnaire editor's checks before sending (the server checks again and names the
 * element): JSON syntax, questions with keys, texts and 2..10 options with whole scores 0..100,
 * unique keys and values, thresholds ordered and reachable.
 */
export function checkQuestionnaireJson(text: string): JsonCheck {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (e) {
    return { ok: false, value: null, error: { key: 'changes.settings.json.syntax', params: { detail: (e as Error).message } } }
  }
  const fail = (where: string, key: string, params: Record<string, string | number> = {}): JsonCheck => ({
    ok: false,
    value: null,
    error: { key, params: { where, ...params } },
  })
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return fail('', 'changes.settings.json.notObject')
  const d = doc as Record<string, unknown>
  const qs = d.questions
  if (!Array.isArray(qs) || qs.length < 1 || qs.length > 30) return fail('questions', 'changes.settings.json.questions')
  const keys = new Set<string>()
  for (let i = 0; i < qs.length; i++) {
    const where = `questions[${i}]`
    const q = qs[i] as Record<string, unknown>
    if (!q || typeof q !== 'object') return fail(where, 'changes.settings.json.questionShape')
    if (typeof q.key !== 'string' || !KEY_RE.test(q.key)) return fail(`${where}.key`, 'changes.settings.json.key')
    if (keys.has(q.key)) return fail(`${where}.key`, 'changes.settings.json.twice')
    keys.add(q.key)
    if (typeof q.text !== 'string' || !q.text.trim()) return fail(`${where}.text`, 'changes.settings.json.text')
    const opts = q.options
    if (!Array.isArray(opts) || opts.length < 2 || opts.length > 10) return fail(`${where}.options`, 'changes.settings.json.options')
    const values = new Set<string>()
    for (let j = 0; j < opts.length; j++) {
      const ow = `${where}.options[${j}]`
      const o = opts[j] as Record<string, unknown>
      if (!o || typeof o !== 'object') return fail(ow, 'changes.settings.json.optionShape')
      if (typeof o.value !== 'string' || !KEY_RE.test(o.value)) return fail(`${ow}.value`, 'changes.settings.json.key')
      if (values.has(o.value)) return fail(`${ow}.value`, 'changes.settings.json.twice')
      values.add(o.value)
      if (typeof o.score !== 'number' || !Number.isInteger(o.score) || o.score < 0 || o.score > 100) {
        return fail(`${ow}.score`, 'changes.settings.json.score')
      }
    }
  }
  const th = d.thresholds as Record<string, unknown> | undefined
  if (!th || typeof th !== 'object') return fail('thresholds', 'changes.settings.json.thresholds')
  const value = doc as Questionnaire
  const max = maxScore(value)
  for (const k of ['medium_from', 'high_from'] as const) {
    const v = th[k]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      return fail(`thresholds.${k}`, 'changes.settings.json.threshold', { max })
    }
  }
  if ((th.high_from as number) <= (th.medium_from as number)) return fail('thresholds.high_from', 'changes.settings.json.order')
  return { ok: true, value }
}

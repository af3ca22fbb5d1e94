// Standard-change templates in the UI language, and the admin form's body.
import type { ChangeTemplate, ChangeTemplateBody } from '@/api/changes'

/** The template's name or description in zh-CN when it has one, else in English. */
export function templateText(tp: Pick<ChangeTemplate, 'name' | 'name_zh' | 'description' | 'description_zh'>, what: 'name' | 'description', locale: string): string {
  const zh = what === 'name' ? tp.name_zh : tp.description_zh
  return locale === 'zh-CN' && zh ? zh : tp[what]
}

export function emptyTemplate(): ChangeTemplateBody {
  return {
    name: '', name_zh: '', description: '', description_zh: '', implementation_plan: '', backout_plan: '', test_plan: '',
    duration_minutes: 60, implementer_team_id: null, active: true,
  }
}

/** The form of a template (a copy), or an empty one. */
export function templateForm(tp: ChangeTemplate | null): ChangeTemplateBody {
  if (!tp) return emptyTemplate()
  return {
    name: tp.name, name_zh: tp.name_zh, description: tp.description, description_zh: tp.description_zh, implementation_plan: tp.implementation_plan,
    backout_plan: tp.backout_plan, test_plan: tp.test_plan, duration_minutes: tp.duration_minutes, implementer_team_id: tp.implementer_team_id, active: tp.active,
  }
}

/** "1 h 30 min" style parts of a duration. */
export function durationParts(minutes: number): { h: number; m: number } {
  return { h: Math.floor(minutes / 60), m: minutes % 60 }
}

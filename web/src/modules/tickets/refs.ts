// Reference data of the service desk pages, fetched once per session and shared: the priority
// matrix, the workflows (pending reasons, resolution codes), the category tree and the teams.
import { computed, shallowRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { fetchAll, teamsApi } from '@/api/endpoints'
import type { Team } from '@/api/types'
import {
  matrixPriority,
  ticketConfigApi,
  type Category,
  type PriorityMatrix,
  type Workflows,
} from '@/api/tickets'
import { teamName } from '@/composables/format'

const matrix = shallowRef<PriorityMatrix | null>(null)
const workflows = shallowRef<Workflows | null>(null)
const categories = shallowRef<Category[]>([])
const teams = shallowRef<Team[]>([])
let loading: Promise<void> | null = null

/** Loads what is missing; errors leave the data empty (the pages still work with ids). */
export function loadTicketRefs(force = false): Promise<void> {
  if (loading && !force) return loading
  loading = Promise.all([
    ticketConfigApi.matrix().then((m) => (matrix.value = m)),
    ticketConfigApi.workflows().then((w) => (workflows.value = w)),
    ticketConfigApi.categories().then((c) => (categories.value = c.items)),
    fetchAll((cursor) => teamsApi.list({ limit: 200, cursor })).then((ts) => (teams.value = ts)),
  ])
    .then(() => undefined)
    .catch(() => {
      loading = null
    })
  return loading ?? Promise.resolve()
}

export interface CategoryOption {
  value: number
  label: string
  children?: CategoryOption[]
}

export function useTicketRefs() {
  const { locale } = useI18n()
  void loadTicketRefs()

  const teamById = computed(() => new Map(teams.value.map((x) => [x.id, x])))
  const categoryById = computed(() => new Map(categories.value.map((c) => [c.id, c])))
  const activeTeams = computed(() => teams.value.filter((x) => x.active))

  function teamLabel(id: number | null | undefined): string {
    if (id === null || id === undefined) return ''
    const team = teamById.value.get(id)
    return team ? teamName(team, locale.value) : `#${id}`
  }

  function categoryName(c: Category): string {
    return locale.value === 'zh-CN' && c.name_zh ? c.name_zh : c.name
  }

  /** "Parent / Child" in the UI language. */
  function categoryLabel(id: number | null | undefined): string {
    if (id === null || id === undefined) return ''
    const c = categoryById.value.get(id)
    if (!c) return `#${id}`
    const parent = c.parent_id ? categoryById.value.get(c.parent_id) : undefined
    return parent ? `${categoryName(parent)} / ${categoryName(c)}` : categoryName(c)
  }

  /** The two-level tree for an el-cascader (active categories only). */
  const categoryOptions = computed<CategoryOption[]>(() => {
    const active = categories.value.filter((c) => c.active)
    const byOrder = (a: Category, b: Category) => a.sort_order - b.sort_order || a.id - b.id
    return active
      .filter((c) => !c.parent_id)
      .sort(byOrder)
      .map((p) => {
        const children = active
          .filter((c) => c.parent_id === p.id)
          .sort(byOrder)
          .map((c) => ({ value: c.id, label: categoryName(c) }))
        return children.length ? { value: p.id, label: categoryName(p), children } : { value: p.id, label: categoryName(p) }
      })
  })

  /** The cascader path ([parent, child] or [top]) of a category id. */
  function categoryPath(id: number | null | undefined): number[] {
    if (!id) return []
    const c = categoryById.value.get(id)
    if (!c) return [id]
    return c.parent_id ? [c.parent_id, c.id] : [c.id]
  }

  function priorityOf(impact: number, urgency: number): string {
    return matrixPriority(matrix.value, impact, urgency)
  }

  return {
    matrix,
    workflows,
    categories,
    teams,
    activeTeams,
    teamById,
    teamLabel,
    categoryLabel,
    categoryOptions,
    categoryPath,
    priorityOf,
  }
}

// Reference data of the CMDB pages, fetched once and shared: the CI types (with their schemas
// and CI counts), the relation types and the teams (owner team names). `reloadTypes()` after a
// type or CI changed.
import { computed, shallowRef } from 'vue'
import { useI18n } from 'vue-i18n'
import { ciTypesApi, type CiType, type RelationType } from '@/api/cmdb'
import { fetchAll, teamsApi } from '@/api/endpoints'
import type { Team } from '@/api/types'
import { teamName } from '@/composables/format'
import { showError } from '@/composables/formErrors'
import { relationName, typeName } from './labels'

const types = shallowRef<CiType[]>([])
const relationTypes = shallowRef<RelationType[]>([])
const teams = shallowRef<Team[]>([])
const loaded = shallowRef(false)
let loading: Promise<void> | null = null

export function reloadTypes(): Promise<void> {
  return ciTypesApi
    .list()
    .then((r) => {
      // Shipped order (business services first), then the ones added later.
      types.value = [...r.items].sort((a, b) => a.id - b.id)
    })
    .catch(showError)
}

export function loadCmdbRefs(force = false): Promise<void> {
  if (loading && !force) return loading
  loading = Promise.all([
    reloadTypes(),
    ciTypesApi.relationTypes().then((r) => (relationTypes.value = r.items)).catch(showError),
    // Team names only decorate; without users_read the owner shows as its id.
    fetchAll((cursor) => teamsApi.list({ limit: 200, cursor })).then((ts) => (teams.value = ts)).catch(() => undefined),
  ]).then(() => {
    loaded.value = true
  })
  return loading
}

export function useCmdbRefs() {
  const { locale } = useI18n()
  void loadCmdbRefs()

  const typeByKey = computed(() => new Map(types.value.map((x) => [x.key, x])))
  const relTypeByKey = computed(() => new Map(relationTypes.value.map((x) => [x.key, x])))
  const activeTeams = computed(() => teams.value.filter((x) => x.active))
  const activeTypes = computed(() => types.value.filter((x) => x.active))

  return {
    types,
    activeTypes,
    relationTypes,
    teams,
    activeTeams,
    loaded,
    typeByKey,
    typeLabel: (key: string) => typeName(typeByKey.value.get(key), locale.value, key),
    teamLabel: (id: number | null | undefined) => {
      if (id === null || id === undefined) return ''
      const team = teams.value.find((x) => x.id === id)
      return team ? teamName(team, locale.value) : `#${id}`
    },
    relationLabel: (key: string, direction: 'out' | 'in') => relationName(relTypeByKey.value.get(key), key, direction, locale.value),
  }
}

// The teams the service desk pages pick from (rules, dispatch, settings, survey filter):
// one request for up to 500 teams, shared by the pages of this module.
import { shallowRef } from 'vue'
import { teamsApi } from '@/api/endpoints'
import type { Team } from '@/api/types'
import { showError } from '@/composables/formErrors'

const teams = shallowRef<Team[]>([])
let loading: Promise<void> | null = null

/** All teams (active and inactive), loaded once; `reload` fetches them again. */
export function useTeams() {
  function load(force = false): Promise<void> {
    if (loading && !force) return loading
    loading = teamsApi
      .list({ limit: 500, sort: 'name' })
      .then((page) => {
        teams.value = page.items
      })
      .catch((e) => {
        loading = null
        showError(e)
      })
    return loading
  }
  function byId(id: number | null | undefined): Team | undefined {
    return id === null || id === undefined ? undefined : teams.value.find((x) => x.id === id)
  }
  return { teams, load, byId }
}

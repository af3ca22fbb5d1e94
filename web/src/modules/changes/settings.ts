// The change settings (CAB / ECAB teams, the risk questionnaire, candidate thresholds), fetched
// once per session and shared by the change pages; the admin page refreshes it after a save.
import { shallowRef } from 'vue'
import { changeSettingsApi, type ChangeSettings } from '@/api/changes'

const settings = shallowRef<ChangeSettings | null>(null)
const failed = shallowRef(false)
let loading: Promise<void> | null = null

export function loadChangeSettings(force = false): Promise<void> {
  if (loading && !force) return loading
  loading = changeSettingsApi
    .get()
    .then((s) => {
      settings.value = s
      failed.value = false
    })
    .catch(() => {
      failed.value = true
      loading = null
    })
  return loading
}

export function setChangeSettings(s: ChangeSettings): void {
  settings.value = s
}

export function useChangeSettings() {
  void loadChangeSettings()
  return { settings, failed }
}

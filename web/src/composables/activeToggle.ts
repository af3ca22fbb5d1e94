// Activate / deactivate a row of a list: confirm, call the API with the row's version, replace
// the row, say so; when someone else changed it meanwhile (409 on version), reload the page.
import { useI18n } from 'vue-i18n'
import { ApiError } from '@/api/client'
import { confirm } from './confirm'
import { showError } from './formErrors'

/** i18n keys of the messages; the confirm messages get `{name}`. */
export interface ActiveToggleKeys {
  activateTitle: string
  deactivateTitle: string
  activateConfirm: string
  deactivateConfirm: string
  activated: string
  deactivated: string
}

interface Row {
  id: number
  active: boolean
  version: number
}

export function useActiveToggle<T extends Row>(opts: {
  setActive: (id: number, active: boolean, version: number) => Promise<T>
  /** The row's name in the confirm message. */
  name: (row: T) => string
  keys: ActiveToggleKeys
  pager: { replace(pred: (x: T) => boolean, row: T): void; reload(): Promise<void> }
  /** After a successful change (e.g. refresh a chart). */
  onChanged?: (row: T) => void
}) {
  const { t } = useI18n()
  const k = opts.keys

  return async function toggleActive(row: T): Promise<void> {
    const activate = !row.active
    const ok = await confirm({
      title: activate ? t(k.activateTitle) : t(k.deactivateTitle),
      message: activate
        ? t(k.activateConfirm, { name: opts.name(row) })
        : t(k.deactivateConfirm, { name: opts.name(row) }),
      confirmText: activate ? t('common.activate') : t('common.deactivate'),
      danger: !activate,
    })
    if (!ok) return
    try {
      const updated = await opts.setActive(row.id, activate, row.version)
      ElMessage.success(activate ? t(k.activated) : t(k.deactivated))
      opts.pager.replace((x) => x.id === updated.id, updated)
      opts.onChanged?.(updated)
    } catch (e) {
      if (e instanceof ApiError && e.isStaleVersion) {
        ElMessage.warning(t('errors.staleReloaded'))
        await opts.pager.reload()
      } else {
        showError(e)
      }
    }
  }
}

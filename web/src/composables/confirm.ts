// A promise-based confirmation dialog rendered once by App.vue (ConfirmDialog.vue), so its
// buttons carry stable data-test attributes (confirm-ok, confirm-cancel).
import { reactive } from 'vue'

export interface ConfirmOptions {
  title: string
  message: string
  confirmText?: string
  danger?: boolean
}

interface State extends ConfirmOptions {
  visible: boolean
  resolve: ((ok: boolean) => void) | null
}

export const confirmState = reactive<State>({
  visible: false,
  title: '',
  message: '',
  confirmText: '',
  danger: false,
  resolve: null,
})

export function confirm(opts: ConfirmOptions): Promise<boolean> {
  if (confirmState.resolve) confirmState.resolve(false)
  return new Promise((resolve) => {
    Object.assign(confirmState, { confirmText: '', danger: false }, opts, { visible: true, resolve })
  })
}

export function settleConfirm(ok: boolean): void {
  const r = confirmState.resolve
  confirmState.resolve = null
  confirmState.visible = false
  if (r) r(ok)
}

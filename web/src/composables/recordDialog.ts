// Create / edit dialogs for a versioned record (users, teams, and the ticket queues to come).
import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { FormInstance } from 'element-plus'
import { ApiError } from '@/api/client'
import { showError, useFormErrors } from './formErrors'

/** The page side: which record the dialog edits (null: a new one) and whether it is open. */
export function useEditDialog<T>() {
  const open = ref(false)
  const editing = shallowRef<T | null>(null)
  function openCreate(): void {
    editing.value = null
    open.value = true
  }
  function openEdit(row: T): void {
    editing.value = row
    open.value = true
  }
  return { open, editing, openCreate, openEdit }
}

interface VersionedRecord {
  id: number
  version: number
}

/**
 * The dialog side. On opening: clear the errors and the stale notice, fill the form from the
 * record (or the defaults). `save()` validates, creates or updates (the update gets the
 * version the form was filled from), shows the success message, reports `onSaved` and closes.
 * An error naming one of `fields` goes under that field, others become a message; a 409 on
 * `version` (changed by someone else) reloads the record into the form and sets `staleNotice`.
 */
export function useRecordDialog<T extends VersionedRecord, F extends string>(opts: {
  open: Ref<boolean>
  /** The record to edit when the dialog opens, null to create one. */
  record: () => T | null
  fields: readonly F[]
  /** Puts a record (null: defaults for a new one) into the form; may load more. */
  fill: (record: T | null) => void | Promise<void>
  create: () => Promise<T>
  update: (id: number, version: number) => Promise<T>
  get: (id: number) => Promise<T>
  /** i18n keys of the success messages. */
  messages: { created: string; saved: string }
  onSaved: (record: T, created: boolean) => void
}) {
  const { t } = useI18n()
  const formRef = ref<FormInstance>()
  const saving = ref(false)
  const staleNotice = ref(false)
  const current = shallowRef<T | null>(null)
  const isEdit = computed(() => current.value !== null)
  const { errors, apply, clear } = useFormErrors(opts.fields)

  function load(record: T | null): void | Promise<void> {
    current.value = record
    return opts.fill(record)
  }

  watch(opts.open, (v) => {
    if (!v) return
    staleNotice.value = false
    clear()
    void load(opts.record())
    formRef.value?.clearValidate()
  })

  async function save(): Promise<void> {
    const valid = await formRef.value?.validate().catch(() => false)
    if (!valid) return
    saving.value = true
    clear()
    const editing = current.value
    try {
      const saved = editing ? await opts.update(editing.id, editing.version) : await opts.create()
      ElMessage.success(editing ? t(opts.messages.saved) : t(opts.messages.created))
      opts.onSaved(saved, !editing)
      opts.open.value = false
    } catch (e) {
      if (e instanceof ApiError && e.isStaleVersion && editing) {
        try {
          await load(await opts.get(editing.id))
          staleNotice.value = true
        } catch (e2) {
          showError(e2)
        }
      } else {
        apply(e)
      }
    } finally {
      saving.value = false
    }
  }

  return { formRef, saving, staleNotice, current, isEdit, errors, save }
}

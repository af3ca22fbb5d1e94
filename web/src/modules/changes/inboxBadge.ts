// The approver's inbox count in the side navigation: GET /api/v1/approvals/inbox when the
// workspace opens and after navigating (at most every 30 s), or at once after a decision. It
// uses the bare API client so the first screen carries nothing of the changes module but this.
import { ref } from 'vue'
import { api } from '@/api/client'
import type { NavBadge } from '../registry'

const count = ref(0)
let last = 0
let inflight: Promise<void> | null = null

export function refreshInboxCount(force = false): Promise<void> {
  if (inflight) return inflight
  if (!force && Date.now() - last < 30000) return Promise.resolve()
  last = Date.now()
  inflight = api
    .get<{ items: unknown[] }>('/api/v1/approvals/inbox', undefined, { noAuthRedirect: true })
    .then((r) => {
      count.value = r.items?.length ?? 0
    })
    .catch(() => undefined)
    .finally(() => {
      inflight = null
    })
  return inflight
}

export const inboxBadge: NavBadge = {
  count: () => count.value,
  refresh: () => void refreshInboxCount(),
}

// Labels for user ids shown in lists (team leads, pickers), fetched once per id.
import { reactive } from 'vue'
import { usersApi } from '@/api/endpoints'
import type { User } from '@/api/types'

const known = reactive(new Map<number, User>())
const pending = new Map<number, Promise<void>>()

export function rememberUsers(users: User[]): void {
  for (const u of users) known.set(u.id, u)
}

export function cachedUser(id: number | null | undefined): User | undefined {
  return id === null || id === undefined ? undefined : known.get(id)
}

/** Loads the users not known yet (at most 20 requests in parallel); failures are ignored. */
export async function ensureUsers(ids: Iterable<number>): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => !known.has(id) && !pending.has(id))
  const batch = missing.slice(0, 20)
  await Promise.all([
    ...batch.map((id) => {
      const p = usersApi
        .get(id)
        .then((u) => {
          known.set(u.id, u)
        })
        .catch(() => undefined)
        .finally(() => pending.delete(id))
      pending.set(id, p)
      return p
    }),
    ...[...pending.values()],
  ])
}

export function userLabel(u: Pick<User, 'display_name' | 'username'> | undefined, fallbackId?: number | null): string {
  if (u) return u.display_name ? `${u.display_name} (${u.username})` : u.username
  return fallbackId ? `#${fallbackId}` : ''
}

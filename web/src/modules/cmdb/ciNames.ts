// Names of CIs shown by id (reference attributes, relation targets), fetched in batches with
// GET /api/v1/cis?ids= and kept for the session.
import { reactive } from 'vue'
import { cisApi, type CiRef } from '@/api/cmdb'

const known = reactive(new Map<number, CiRef>())

export function rememberCis(cis: CiRef[]): void {
  for (const c of cis) known.set(c.id, { id: c.id, name: c.name, type: c.type, status: c.status })
}

export function cachedCi(id: number | null | undefined): CiRef | undefined {
  return id === null || id === undefined ? undefined : known.get(id)
}

/** Loads the CIs not known yet (100 per request); failures leave them as ids. */
export async function ensureCis(ids: Iterable<number>): Promise<void> {
  const missing = [...new Set(ids)].filter((id) => Number.isInteger(id) && id > 0 && !known.has(id))
  for (let i = 0; i < missing.length; i += 100) {
    const chunk = missing.slice(i, i + 100)
    try {
      const page = await cisApi.list({ ids: chunk.join(','), limit: chunk.length })
      rememberCis(page.items)
    } catch {
      return
    }
  }
}

export function ciLabel(id: number | null | undefined): string {
  if (id === null || id === undefined) return ''
  return known.get(id)?.name ?? `#${id}`
}

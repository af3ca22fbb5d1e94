// Ordered lists the server evaluates by position (assignment rules, SLA policies): moving a row
// one place rewrites positions 10, 20, 30 ... where they changed, one PATCH per changed row.

/**
 * Moves the item at `index` one place up (-1) or down (+1): the new order and the positions to
 * write (10, 20, 30 ... where they differ); null when it cannot move.
 */
export function reorder<R extends { id: number; position: number }>(
  items: readonly R[],
  index: number,
  delta: -1 | 1,
): { order: R[]; changes: Array<{ item: R; position: number }> } | null {
  const j = index + delta
  if (index < 0 || index >= items.length || j < 0 || j >= items.length) return null
  const order = [...items]
  ;[order[index], order[j]] = [order[j], order[index]]
  const changes: Array<{ item: R; position: number }> = []
  order.forEach((item, k) => {
    const want = (k + 1) * 10
    if (item.position !== want) changes.push({ item, position: want })
  })
  return { order, changes }
}

/**
 * Saves a reorder plan (each changed position, with the record's version) and returns the new
 * order with the saved records in place. A failure (e.g. a stale version) is thrown to the caller.
 */
export async function saveReorder<R extends { id: number; position: number }>(
  plan: { order: R[]; changes: Array<{ item: R; position: number }> },
  save: (item: R, position: number) => Promise<R>,
): Promise<R[]> {
  const order = [...plan.order]
  for (const { item, position } of plan.changes) {
    order[order.indexOf(item)] = await save(item, position)
  }
  return order
}

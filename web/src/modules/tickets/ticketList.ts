// What the agent's ticket lists (the queues, the "at risk / breached" queue) share: the paged
// GET /api/v1/tickets behind their filters, with the assignees' names fetched for the owner
// column, and the assignee's name as that column shows it.
import { ticketsApi, type Ticket, type TicketQuery } from '@/api/tickets'
import { useFilteredList } from '@/composables/listPage'
import { cachedUser, ensureUsers, userLabel } from '../admin/userCache'

/**
 * useFilteredList over the ticket list: `query(filters)` is the API query of the filters
 * (cursor and page size are added), or null when they can match nothing (an empty page).
 */
export function useTicketList<F extends { q: string }>(initial: F, query: (filters: F) => TicketQuery | null) {
  return useFilteredList<Ticket, F>(initial, async (f, cursor, limit) => {
    const q = query(f)
    if (!q) return { items: [], next_cursor: null }
    const page = await ticketsApi.list({ ...q, cursor, limit })
    void ensureUsers(page.items.flatMap((x) => (x.assignee_id ? [x.assignee_id] : [])))
    return page
  })
}

/** The assignee's display name without the "(username)" part; '' when unassigned. */
export function assigneeName(row: Pick<Ticket, 'assignee_id'>): string {
  if (!row.assignee_id) return ''
  return userLabel(cachedUser(row.assignee_id), row.assignee_id).replace(/ \(.*\)$/, '')
}

import type { AppStore } from '../store/store.js';
import type { ConsoleClient } from './console-client.js';

/**
 * Fetches the next page of older records for the current filter from the collector's journal and adds it to the
 * view (dropped if the filter changed meanwhile). Returns how many rows came back.
 */
export async function fetchOlder(client: ConsoleClient, store: AppStore, limit = 2000): Promise<number> {
  const s = store.getState();
  const requested = s.filter;
  const { rows, more } = await client.query(requested, s.view.olderCursor(), limit);
  if (store.getState().filter === requested) s.addOlder(rows, more);
  return rows.length;
}

import type { StateCreator } from 'zustand';
import { RateBuckets } from '../lib/rate-buckets.js';
import type { Row } from '../lib/row.js';
import { RowRing } from '../lib/row-ring.js';
import { RowView } from '../lib/row-view.js';
import type { AppState, EventsSlice, ProjectLive } from './types.js';

/** Rows kept in the console's memory (about 250 bytes each: ~250 MB at the bound). */
export const RING_CAPACITY = 1_000_000;
/** Rows per project kept for the overview's live tail. */
export const TAIL_LENGTH = 8;

function liveOf(live: Map<string, ProjectLive>, project: string): ProjectLive {
  let p = live.get(project);
  if (p === undefined) {
    p = {
      tail: [],
      lastError: null,
      systemCount: 0,
      lastSystem: null,
      rate: new RateBuckets(),
      lastEventAt: 0,
      lastErrorAt: 0,
    };
    live.set(project, p);
  }
  return p;
}

function track(live: Map<string, ProjectLive>, types: Set<string>, row: Row): void {
  types.add(row.type);
  const p = liveOf(live, row.project);
  if (row.system) {
    p.systemCount++;
    p.lastSystem = row;
  } else {
    p.tail.push(row);
    if (p.tail.length > TAIL_LENGTH * 2) p.tail.splice(0, p.tail.length - TAIL_LENGTH);
    if (row.type === 'error') p.lastError = row;
  }
  p.rate.add(row.rx);
  if (row.rx > p.lastEventAt) p.lastEventAt = row.rx;
  if (row.type === 'error' && row.rx > p.lastErrorAt) p.lastErrorAt = row.rx;
}

/** Creates the events slice; `capacity` is overridable for tests. */
export function createEventsSlice(capacity = RING_CAPACITY): StateCreator<AppState, [], [], EventsSlice> {
  return (set, get) => {
    const ring = new RowRing(capacity);
    return {
      ring,
      view: new RowView(ring),
      live: new Map(),
      types: new Set(),
      rowsVersion: 0,
      appendRows(rows) {
        const { ring, view, live, types, tally } = get();
        const from = ring.end;
        let added = false;
        for (const row of rows) {
          if (!ring.push(row)) continue;
          track(live, types, row);
          tally.count(row);
          added = true;
        }
        if (!added) return;
        view.appended(from);
        set({ rowsVersion: get().rowsVersion + 1 });
      },
      resetRows(rows) {
        const { ring, live, types } = get();
        ring.clear();
        live.clear();
        types.clear();
        for (const row of rows) if (ring.push(row)) track(live, types, row);
        const s = get();
        s.view.setFilter(s.filter, Date.now() / 1000 + s.clockSkew);
        set({ rowsVersion: s.rowsVersion + 1 });
      },
      addOlder(rows, more) {
        get().view.prependOlder(rows, more);
        set({ rowsVersion: get().rowsVersion + 1 });
      },
    };
  };
}

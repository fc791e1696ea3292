import type { WireRow } from '@ic-audit/shared';

/** One record as the console keeps it: no hashes (fetched on demand), fields still JSON text, strings interned. */
export interface Row {
  id: number;
  /** Collector clock, epoch seconds. */
  rx: number;
  /** Bot clock, epoch seconds. */
  ts: number;
  session: string;
  seq: number;
  project: string;
  type: string;
  desc: string;
  /** Fields as their exact text (may hold Python's bare NaN / Infinity); parsed only for visible rows. */
  fields: string;
  /** Written by the collector itself (session declared, gap, refusal), whatever its type says. */
  system: boolean;
}

const interned = new Map<string, string>();

/** Returns one shared instance per distinct string, so a million rows of few projects/types cost one copy each. */
export function intern(s: string): string {
  const have = interned.get(s);
  if (have !== undefined) return have;
  // Bounded: a bot inventing a new type per event must not make the table itself leak.
  if (interned.size > 50_000) interned.clear();
  interned.set(s, s);
  return s;
}

/** Converts a wire row into a {@link Row}. */
export function fromWire(w: WireRow): Row {
  return {
    id: w[0],
    rx: w[1],
    ts: w[2],
    session: intern(w[3]),
    seq: w[4],
    project: intern(w[5]),
    type: intern(w[6]),
    desc: w[7] ?? '',
    fields: w[8] === '{}' ? '{}' : w[8],
    system: w[9] === 'collector',
  };
}

/** A row in the shape the shared filter expects. */
export interface FilterableRow {
  project_name: string;
  event_type: string;
  event_description: string;
  received_at: number;
  fields: string;
}

/** Fills `into` with the row's filterable view and returns it (one scratch object per scan, not one per row). */
export function asFilterable(r: Row, into: FilterableRow): FilterableRow {
  into.project_name = r.project;
  into.event_type = r.type;
  into.event_description = r.desc;
  into.received_at = r.rx;
  into.fields = r.fields;
  return into;
}

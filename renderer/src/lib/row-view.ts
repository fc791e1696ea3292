import { compileFilter, type QueryFilter } from '@ic-audit/shared';
import { asFilterable, type FilterableRow, type Row } from './row.js';
import type { RowRing } from './row-ring.js';

/**
 * The table's rows: older rows fetched from the collector for the current filter (beyond the ring), then the
 * ring's rows that match the filter. Unfiltered views hold no index at all (the ring is the view).
 */
export class RowView {
  /** Ordinals into the ring of matching rows, ascending; null when every row matches. */
  private ordinals: number[] | null = null;
  private start = 0;
  private match: ((r: Row) => boolean) | null = null;
  /** Rows older than the ring, oldest first (from queries). */
  older: Row[] = [];
  /** The collector may hold more older matches. */
  olderMore = true;

  constructor(private readonly ring: RowRing) {}

  /** Re-evaluates the whole ring for a new filter; `now` is the collector clock. Clears older rows. */
  setFilter(filter: QueryFilter, now: number): void {
    const compiled = compileFilter(filter, now);
    this.older = [];
    this.olderMore = true;
    if (compiled.matchesAll) {
      this.match = null;
      this.ordinals = null;
      return;
    }
    const scratch: FilterableRow = {
      project_name: '',
      event_type: '',
      event_description: '',
      received_at: 0,
      fields: '',
    };
    const match = (r: Row): boolean => compiled.match(asFilterable(r, scratch));
    this.match = match;
    const list: number[] = [];
    for (let o = this.ring.first, end = this.ring.end; o < end; o++) {
      if (match(this.ring.at(o)!)) list.push(o);
    }
    this.ordinals = list;
    this.start = 0;
  }

  /** Indexes rows the ring just received (ordinals from `fromOrdinal` on). Returns how many joined the view. */
  appended(fromOrdinal: number): number {
    this.trim();
    const from = Math.max(fromOrdinal, this.ring.first);
    if (this.ordinals === null) return this.ring.end - from;
    let added = 0;
    for (let o = from; o < this.ring.end; o++) {
      if (this.match!(this.ring.at(o)!)) {
        this.ordinals.push(o);
        added++;
      }
    }
    return added;
  }

  /** Adds rows fetched from the collector, newest first, all older than anything shown. */
  prependOlder(rowsNewestFirst: readonly Row[], more: boolean): void {
    const oldest = this.older[0]?.id ?? this.ring.oldest()?.id ?? Infinity;
    const fresh = rowsNewestFirst.filter((r) => r.id < oldest).reverse();
    this.older = fresh.concat(this.older);
    this.olderMore = more;
  }

  /** Id below which the next older page starts, or null to start from the newest. */
  olderCursor(): number | null {
    return this.older[0]?.id ?? this.ring.oldest()?.id ?? null;
  }

  /** Rows in the view. */
  get length(): number {
    this.trim();
    const live = this.ordinals === null ? this.ring.size : this.ordinals.length - this.start;
    return this.older.length + live;
  }

  /** Row at a view index (0 = oldest). */
  at(index: number): Row | undefined {
    if (index < this.older.length) return this.older[index];
    const i = index - this.older.length;
    if (this.ordinals === null) return this.ring.at(this.ring.first + i);
    const o = this.ordinals[this.start + i];
    return o === undefined ? undefined : this.ring.at(o);
  }

  /** Index in the view of the row with this id, or -1 (binary search: ids rise with the index). */
  indexOf(id: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.at(mid);
      if (r === undefined) return -1;
      if (r.id === id) return mid;
      if (r.id < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Forgets ordinals the ring has evicted; compacts the array once the dead prefix is large. */
  private trim(): void {
    const list = this.ordinals;
    if (list === null) return;
    const first = this.ring.first;
    while (this.start < list.length && list[this.start]! < first) this.start++;
    if (this.start > 65_536 && this.start * 2 > list.length) {
      this.ordinals = list.slice(this.start);
      this.start = 0;
    }
  }
}

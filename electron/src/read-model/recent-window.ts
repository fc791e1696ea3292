import type { JournalRecord } from '@ic-audit/shared';

/** The newest records held in memory, as a query reads them (see query.ts). */
export interface RecordWindow {
  /** Number of records held. */
  readonly size: number;
  /** Lowest id held, or Infinity when empty. */
  readonly oldestId: number;
  /** The newest `limit` records, oldest first. */
  newest(limit: number): JournalRecord[];
  /** Walks records newest first until `visit` returns false. */
  walkBackwards(visit: (record: JournalRecord) => boolean): void;
}

/**
 * Fixed-capacity ring of the newest records as objects: memory stays bounded however large the stream grows.
 * Used by the stream console (NATS mode); the collector keeps journal bytes instead (see line-window.ts).
 */
export class RecentWindow implements RecordWindow {
  private readonly items: (JournalRecord | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<JournalRecord | undefined>(Math.max(1, capacity));
  }

  /** Number of records held. */
  get size(): number {
    return this.count;
  }

  /** Lowest id held, or Infinity when empty. */
  get oldestId(): number {
    return this.count === 0 ? Infinity : this.items[this.start]!.id;
  }

  /** Adds a record (the oldest falls out when full). */
  push(item: JournalRecord): void {
    const cap = this.items.length;
    if (this.count < cap) {
      this.items[(this.start + this.count) % cap] = item;
      this.count++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % cap;
    }
  }

  /** The newest `limit` records, oldest first. */
  newest(limit: number): JournalRecord[] {
    const n = Math.min(limit, this.count);
    const out = new Array<JournalRecord>(n);
    const cap = this.items.length;
    for (let i = 0; i < n; i++) out[i] = this.items[(this.start + this.count - n + i) % cap]!;
    return out;
  }

  /** Walks records newest first until `visit` returns false. */
  walkBackwards(visit: (record: JournalRecord) => boolean): void {
    const cap = this.items.length;
    for (let i = this.count - 1; i >= 0; i--) {
      if (!visit(this.items[(this.start + i) % cap]!)) return;
    }
  }
}

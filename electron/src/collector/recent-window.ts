import type { JournalRecord } from '@ic-audit/shared';

/** How a window stores its items: the collector keeps sealed journal lines, a stream console keeps records. */
export interface WindowCodec<T> {
  idOf(item: T): number;
  toRecord(item: T): JournalRecord;
}

/** Items are the records themselves. */
export const RECORD_CODEC: WindowCodec<JournalRecord> = { idOf: (r) => r.id, toRecord: (r) => r };

/**
 * Items are sealed journal lines, parsed only when read: one flat string per record instead of a dozen objects,
 * so a full window costs the garbage collector almost nothing to keep (the collector's hot path lives beside it).
 */
export const LINE_CODEC: WindowCodec<string> = {
  // Every line starts with {"id":<n>, (record.ts fixes the key order).
  idOf: (line) => Number(line.slice(6, line.indexOf(',', 6))),
  toRecord: (line) => JSON.parse(line) as JournalRecord,
};

/** Fixed-capacity ring of the newest records: memory stays bounded however large the journal grows. */
export class RecentWindow<T = JournalRecord> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    private readonly codec: WindowCodec<T> = RECORD_CODEC as unknown as WindowCodec<T>,
  ) {
    this.items = new Array(Math.max(1, capacity));
  }

  /** Number of records held. */
  get size(): number {
    return this.count;
  }

  /** Lowest id held, or Infinity when empty. */
  get oldestId(): number {
    return this.count === 0 ? Infinity : this.codec.idOf(this.items[this.start]!);
  }

  /** Adds a record (the oldest falls out when full). */
  push(item: T): void {
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
    const out: JournalRecord[] = new Array(n);
    const cap = this.items.length;
    for (let i = 0; i < n; i++) out[i] = this.codec.toRecord(this.items[(this.start + this.count - n + i) % cap]!);
    return out;
  }

  /** Walks records newest first until `visit` returns false. */
  walkBackwards(visit: (record: JournalRecord) => boolean): void {
    const cap = this.items.length;
    for (let i = this.count - 1; i >= 0; i--) {
      if (!visit(this.codec.toRecord(this.items[(this.start + i) % cap]!))) return;
    }
  }
}

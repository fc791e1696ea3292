import type { Row } from './row.js';

/** Rows dropped at once when the ring is full: evicting in chunks keeps the amortized cost per row tiny. */
const EVICT_CHUNK = 65_536;

/**
 * The newest `capacity` rows, oldest first, addressed by ordinals that never change (ordinal = rows ever evicted
 * + index). Views keep ordinals, so eviction never invalidates them, it only makes small ones stale.
 */
export class RowRing {
  private rows: Row[] = [];
  private base = 0;
  /** Highest id held (0 when empty); rows at or below it are duplicates. */
  maxId = 0;

  constructor(readonly capacity: number) {}

  /** Appends a row unless its id is not newer than the newest held; returns whether it was added. */
  push(row: Row): boolean {
    if (row.id <= this.maxId) return false;
    this.rows.push(row);
    this.maxId = row.id;
    if (this.rows.length > this.capacity + Math.min(EVICT_CHUNK, this.capacity)) {
      const drop = this.rows.length - this.capacity;
      this.rows.splice(0, drop);
      this.base += drop;
    }
    return true;
  }

  /** Ordinal of the oldest row held. */
  get first(): number {
    return this.base;
  }

  /** One past the ordinal of the newest row. */
  get end(): number {
    return this.base + this.rows.length;
  }

  /** Rows held. */
  get size(): number {
    return this.rows.length;
  }

  /** Row by ordinal, or undefined when evicted or not yet written. */
  at(ordinal: number): Row | undefined {
    return this.rows[ordinal - this.base];
  }

  /** Oldest row held. */
  oldest(): Row | undefined {
    return this.rows[0];
  }

  /** Drops everything (ordinals keep rising so stale views never alias new rows). */
  clear(): void {
    this.base += this.rows.length;
    this.rows = [];
    this.maxId = 0;
  }
}

/**
 * Most numbers a {@link SeenSet} holds above its low-water mark. A number that never comes (a session's real gap, a
 * batch deleted from the stream) stops the mark; without a bound every later number would be held, for as long as
 * the console runs (~40 bytes each). Past the bound the lower half is folded into the mark and the runs it steps over
 * are kept as skipped.
 */
export const SEEN_ABOVE_MAX = 65_536;
/** Most skipped runs a {@link SeenSet} remembers (the oldest go first). */
export const SEEN_SKIPPED_MAX = 1_024;

/** A run of numbers, both ends included. */
export interface NumberRun {
  from: number;
  to: number;
}

/**
 * Which numbers of a rising sequence were seen: a low-water mark (everything at or below it seen, except the skipped
 * runs) plus the numbers seen above it, at most {@link SEEN_ABOVE_MAX}. Memory stays small whatever arrives; used to
 * drop stream duplicates and to find what never came.
 */
export class SeenSet {
  private low: number;
  private readonly above = new Set<number>();
  /** Runs below the mark never seen, rising (see {@link SEEN_ABOVE_MAX}). */
  private readonly skipped: NumberRun[] = [];

  /** `first`: the first number seen; everything below it counts as already seen (older than the replay). */
  constructor(first: number) {
    this.low = first - 1;
  }

  /** Numbers held above the low-water mark (at most {@link SEEN_ABOVE_MAX}). */
  get held(): number {
    return this.above.size;
  }

  /** Marks `n` seen; false when it was seen before. */
  add(n: number): boolean {
    if (n <= this.low) return this.unskip(n);
    if (this.above.has(n)) return false;
    if (n !== this.low + 1) {
      this.above.add(n);
      if (this.above.size > SEEN_ABOVE_MAX) this.fold();
      return true;
    }
    this.low = n;
    while (this.above.delete(this.low + 1)) this.low++;
    return true;
  }

  /**
   * The first run of numbers not seen below the highest one seen (from the first number on), or null when there is
   * none.
   */
  firstHole(): NumberRun | null {
    if (this.skipped.length > 0) return { ...this.skipped[0]! };
    if (this.above.size === 0) return null;
    let next = Infinity;
    for (const n of this.above) if (n < next) next = n;
    return { from: this.low + 1, to: next - 1 };
  }

  /** True when every number from `from` to `to` was seen. */
  covers(from: number, to: number): boolean {
    for (const run of this.skipped) if (run.from <= to && run.to >= from) return false;
    if (to <= this.low) return true;
    if (to - Math.max(from, this.low + 1) + 1 > this.above.size) return false;
    for (let n = Math.max(from, this.low + 1); n <= to; n++) if (!this.above.has(n)) return false;
    return true;
  }

  /** A number at or below the mark: new only when it was in a skipped run (which then loses it). */
  private unskip(n: number): boolean {
    const i = this.skipped.findIndex((run) => run.from <= n && n <= run.to);
    if (i < 0) return false;
    const run = this.skipped[i]!;
    const parts: NumberRun[] = [];
    if (run.from < n) parts.push({ from: run.from, to: n - 1 });
    if (n < run.to) parts.push({ from: n + 1, to: run.to });
    this.skipped.splice(i, 1, ...parts);
    if (this.skipped.length > SEEN_SKIPPED_MAX) this.skipped.shift();
    return true;
  }

  /** Moves the mark over the lower half of the numbers held, keeping the runs it steps over as skipped. */
  private fold(): void {
    const sorted = Array.from(this.above).sort((a, b) => a - b);
    for (let i = 0; i < sorted.length >> 1; i++) {
      const n = sorted[i]!;
      if (n > this.low + 1) {
        this.skipped.push({ from: this.low + 1, to: n - 1 });
        if (this.skipped.length > SEEN_SKIPPED_MAX) this.skipped.shift();
      }
      this.low = n;
      this.above.delete(n);
    }
    while (this.above.delete(this.low + 1)) this.low++;
  }
}

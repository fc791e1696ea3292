/**
 * Which numbers of a rising sequence were seen: a low-water mark (everything at or below it seen) plus the few
 * seen above it. Memory stays small while numbers arrive mostly in order; used to drop stream duplicates.
 */
export class SeenSet {
  private low: number;
  private readonly above = new Set<number>();

  /** `first`: the first number seen; everything below it counts as already seen (older than the replay). */
  constructor(first: number) {
    this.low = first - 1;
  }

  /** Marks `n` seen; false when it was seen before. */
  add(n: number): boolean {
    if (n <= this.low || this.above.has(n)) return false;
    if (n !== this.low + 1) {
      this.above.add(n);
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
  firstHole(): { from: number; to: number } | null {
    if (this.above.size === 0) return null;
    let next = Infinity;
    for (const n of this.above) if (n < next) next = n;
    return { from: this.low + 1, to: next - 1 };
  }

  /** True when every number from `from` to `to` was seen. */
  covers(from: number, to: number): boolean {
    if (to <= this.low) return true;
    if (to - Math.max(from, this.low + 1) + 1 > this.above.size) return false;
    for (let n = Math.max(from, this.low + 1); n <= to; n++) if (!this.above.has(n)) return false;
    return true;
  }
}

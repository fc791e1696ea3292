/** Width of one sparkline bucket, in seconds. */
export const BUCKET_SECONDS = 10;
/** Buckets kept per project (5 minutes). */
export const BUCKETS = 30;

/** Events per time bucket over the last few minutes, for one project's sparkline. */
export class RateBuckets {
  private readonly counts = new Array<number>(BUCKETS).fill(0);
  /** Absolute bucket number of the newest bucket. */
  private head = 0;

  /** Counts one event at collector time `t` (epoch seconds). Events older than the window are ignored. */
  add(t: number): void {
    const b = Math.floor(t / BUCKET_SECONDS);
    this.advance(b);
    if (b <= this.head - BUCKETS) return;
    this.counts[((b % BUCKETS) + BUCKETS) % BUCKETS]! += 1;
  }

  /** Counts per bucket, oldest first, ending at the bucket of `now`. */
  series(now: number): number[] {
    this.advance(Math.floor(now / BUCKET_SECONDS));
    const out: number[] = [];
    for (let b = this.head - BUCKETS + 1; b <= this.head; b++)
      out.push(this.counts[((b % BUCKETS) + BUCKETS) % BUCKETS]!);
    return out;
  }

  private advance(b: number): void {
    if (b <= this.head) return;
    if (b - this.head >= BUCKETS) this.counts.fill(0);
    else for (let x = this.head + 1; x <= b; x++) this.counts[((x % BUCKETS) + BUCKETS) % BUCKETS] = 0;
    this.head = b;
  }
}

/**
 * Event counts per time bucket for the stream's histogram. Counting is plain array arithmetic over the rows of the
 * current view (a million rows in a few tens of ms), kept up to date incrementally as rows arrive; drawing
 * aggregates buckets into bars of whatever width the canvas affords.
 */

/** Bucket widths in seconds; each divides the next, so buckets merge exactly into any wider step. */
export const STEPS: readonly number[] = [1, 5, 10, 30, 60, 300, 900, 1800, 3600, 21_600, 86_400];
/** Buckets kept at most before the step coarsens (counts stay small whatever the span). */
export const MAX_BUCKETS = 8192;

/** Smallest step that covers `spanSeconds` in at most `maxBuckets` buckets (the widest step beyond that). */
export function chooseStep(spanSeconds: number, maxBuckets = MAX_BUCKETS / 2, min = 1): number {
  for (const s of STEPS) if (s >= min && spanSeconds / s <= maxBuckets) return s;
  return STEPS[STEPS.length - 1]!;
}

/** Counts per bucket of `step` seconds, over a contiguous, growable run of buckets. */
export class TimeHistogram {
  /** Bucket number (`floor(t / step)`) of `counts[0]`. */
  private first = 0;
  private counts: Float64Array = new Float64Array(64);
  private used = 0;
  /** Events counted. */
  total = 0;

  constructor(public step: number) {}

  /** Counts one event at epoch seconds `t`. */
  add(t: number): void {
    const b = Math.floor(t / this.step);
    if (this.used === 0) {
      this.first = b;
      this.used = 1;
    }
    let i = b - this.first;
    if (i < 0 || i >= this.counts.length) {
      this.fit(t);
      i = Math.floor(t / this.step) - this.first;
    }
    this.counts[i]! += 1;
    if (i >= this.used) this.used = i + 1;
    this.total++;
  }

  /** Epoch seconds of the first bucket's start (NaN when empty). */
  get start(): number {
    return this.used === 0 ? NaN : this.first * this.step;
  }

  /** Epoch seconds of the last bucket's end (NaN when empty). */
  get end(): number {
    return this.used === 0 ? NaN : (this.first + this.used) * this.step;
  }

  /**
   * Bars of `barStep` seconds (a multiple of the step) covering [from, to): counts, and the epoch second the
   * first bar starts at.
   */
  bars(from: number, to: number, barStep: number): { start: number; counts: number[] } {
    const k = Math.max(1, Math.round(barStep / this.step));
    const firstBar = Math.floor(from / barStep);
    const n = Math.max(0, Math.ceil(to / barStep) - firstBar);
    const out = new Array<number>(n).fill(0);
    for (let i = 0; i < this.used; i++) {
      const c = this.counts[i]!;
      if (c === 0) continue;
      const bar = Math.floor((this.first + i) / k) - firstBar;
      if (bar >= 0 && bar < n) out[bar]! += c;
    }
    return { start: firstBar * barStep, counts: out };
  }

  /** Makes room for time `t`: grows the array, and coarsens the step when the span would pass MAX_BUCKETS. */
  private fit(t: number): void {
    for (;;) {
      const b = Math.floor(t / this.step);
      const lo = Math.min(this.first, b);
      const hi = Math.max(this.first + this.used - 1, b);
      const span = hi - lo + 1;
      if (span > MAX_BUCKETS) {
        const next = STEPS.find((s) => s > this.step && (span * this.step) / s <= MAX_BUCKETS / 2);
        if (next === undefined) throw new RangeError('histogram span too large');
        this.rebin(next);
        continue;
      }
      if (b >= this.first && b - this.first < this.counts.length) return;
      const grown = new Float64Array(Math.min(MAX_BUCKETS * 2, Math.max(64, 1 << Math.ceil(Math.log2(span * 2)))));
      // Room on both sides: appends (the usual case) and the odd late row both fit without another copy soon.
      const newFirst = lo - Math.floor((grown.length - span) / (b < this.first ? 2 : 8));
      grown.set(this.counts.subarray(0, this.used), this.first - newFirst);
      this.used = this.first + this.used - newFirst;
      this.first = newFirst;
      this.counts = grown;
      return;
    }
  }

  /** Merges buckets into a coarser step (a multiple of the current one). */
  private rebin(step: number): void {
    const k = step / this.step;
    const first = Math.floor(this.first / k);
    const last = Math.floor((this.first + this.used - 1) / k);
    const counts = new Float64Array(Math.max(64, 1 << Math.ceil(Math.log2((last - first + 1) * 2))));
    for (let i = 0; i < this.used; i++) counts[Math.floor((this.first + i) / k) - first]! += this.counts[i]!;
    this.step = step;
    this.first = first;
    this.used = last - first + 1;
    this.counts = counts;
  }
}

/** What the histogram reads rows from (a RowView). */
export interface RowSource {
  readonly length: number;
  at(index: number): { id: number; rx: number } | undefined;
}

/** Counts every row of `rows` by collector time (the clock time ranges filter on). */
export function bucketRows(rows: RowSource, minStep = 1): TimeHistogram {
  const n = rows.length;
  const a = rows.at(0);
  const z = rows.at(n - 1);
  const span = a === undefined || z === undefined ? 0 : Math.abs(z.rx - a.rx);
  const h = new TimeHistogram(chooseStep(span, MAX_BUCKETS / 2, minStep));
  for (let i = 0; i < n; i++) h.add(rows.at(i)!.rx);
  return h;
}

/**
 * Keeps a histogram in step with a view: a full count when the view is replaced or its oldest row changes (new
 * filter, older rows fetched, eviction), otherwise only the rows appended since the last sync (cost: the new rows).
 */
export class HistogramFeed {
  histogram: TimeHistogram = new TimeHistogram(1);
  private key: unknown = null;
  private firstId = -1;
  private lastId = -1;

  /** Brings the histogram up to date; `key` changes whenever the view is re-filtered. Returns whether it changed. */
  sync(rows: RowSource, key: unknown): boolean {
    const n = rows.length;
    const first = n === 0 ? -1 : rows.at(0)!.id;
    if (key !== this.key || first !== this.firstId) {
      this.key = key;
      this.histogram = bucketRows(rows);
      this.firstId = first;
      this.lastId = n === 0 ? -1 : rows.at(n - 1)!.id;
      return true;
    }
    let i = n - 1;
    while (i >= 0 && rows.at(i)!.id > this.lastId) i--;
    if (i === n - 1) return false;
    for (let j = i + 1; j < n; j++) this.histogram.add(rows.at(j)!.rx);
    this.lastId = rows.at(n - 1)!.id;
    return true;
  }
}

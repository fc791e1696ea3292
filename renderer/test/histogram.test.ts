import { describe, expect, it } from 'vitest';
import { bucketRows, chooseStep, HistogramFeed, MAX_BUCKETS, STEPS, TimeHistogram } from '../src/lib/histogram.js';
import { fromWire, type Row } from '../src/lib/row.js';
import { RowRing } from '../src/lib/row-ring.js';
import { RowView } from '../src/lib/row-view.js';

const T0 = 1_764_460_800; // 2025-11-30 00:00:00 UTC

function ringOf(n: number, at: (i: number) => number, capacity = n): RowRing {
  const ring = new RowRing(capacity);
  for (let i = 0; i < n; i++) ring.push(row(i + 1, at(i)));
  return ring;
}

function row(id: number, rx: number, symbol = id % 4 === 0 ? 'GBPUSD' : 'EURUSD'): Row {
  return fromWire([id, rx, rx, 's', id, 'p', 'tick', 'd', `{"symbol":"${symbol}"}`, 'ws']);
}

/** Reference count: rows per bar by brute force. */
function naive(times: number[], from: number, to: number, step: number): number[] {
  const first = Math.floor(from / step);
  const out = new Array<number>(Math.ceil(to / step) - first).fill(0);
  for (const t of times) {
    const b = Math.floor(t / step) - first;
    if (b >= 0 && b < out.length) out[b]!++;
  }
  return out;
}

describe('histogram bucketing', () => {
  it('steps divide each other, and the chosen step covers the span in the bucket budget', () => {
    for (let i = 1; i < STEPS.length; i++) expect(STEPS[i]! % STEPS[i - 1]!).toBe(0);
    expect(chooseStep(0)).toBe(1);
    expect(chooseStep(3600)).toBe(1);
    expect(chooseStep(30 * 3600)).toBe(30);
    expect(chooseStep(365 * 86_400)).toBe(21_600);
  });

  it('counts exactly per bar, for any bar width that is a multiple of the step', () => {
    const times = Array.from({ length: 5000 }, (_, i) => T0 + ((i * 7919) % 7200) + (i % 10) / 10);
    const h = new TimeHistogram(1);
    for (const t of times) h.add(t);
    expect(h.total).toBe(times.length);
    for (const step of [1, 5, 60, 300, 3600]) {
      const bars = h.bars(T0 - 100, T0 + 7300, step);
      expect(bars.counts).toEqual(naive(times, T0 - 100, T0 + 7300, step));
      expect(bars.start).toBe(Math.floor((T0 - 100) / step) * step);
    }
    // A window inside the data counts only what falls in it.
    expect(h.bars(T0 + 60, T0 + 120, 60).counts).toEqual(naive(times, T0 + 60, T0 + 120, 60));
  });

  it('grows both ways and coarsens the step when the span outgrows the bucket budget', () => {
    const h = new TimeHistogram(1);
    const times = [T0, T0 - 5, T0 + 30, T0 - 3000, T0 + 40 * 86_400, T0 + 40 * 86_400 + 1];
    for (const t of times) h.add(t);
    expect(h.step).toBeGreaterThan(1);
    expect((h.end - h.start) / h.step).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(h.total).toBe(times.length);
    const bars = h.bars(T0 - 86_400, T0 + 41 * 86_400, 86_400);
    expect(bars.counts).toEqual(naive(times, T0 - 86_400, T0 + 41 * 86_400, 86_400));
  });

  it('buckets a million rows well under 200 ms', () => {
    const n = 1_000_000;
    const view = new RowView(ringOf(n, (i) => T0 + i * 0.1));
    view.setFilter({ project: '', type: '', text: '', range: 'all', from: null, to: null }, T0 + n);
    bucketRows(view); // warm-up
    const t = performance.now();
    const h = bucketRows(view);
    const ms = performance.now() - t;
    expect(h.total).toBe(n);
    expect(h.step).toBe(30);
    expect(ms).toBeLessThan(200);
  });

  it('follows a view incrementally: only new rows are counted, a new filter or an eviction recounts', () => {
    const ring = ringOf(1000, (i) => T0 + i, 1000);
    const view = new RowView(ring);
    let filter = { project: '', type: '', text: 'symbol=GBPUSD', range: 'all' as const, from: null, to: null };
    view.setFilter(filter, T0 + 2000);
    const feed = new HistogramFeed();
    expect(feed.sync(view, filter)).toBe(true);
    expect(feed.histogram.total).toBe(250);
    expect(feed.sync(view, filter)).toBe(false);
    const before = feed.histogram;
    const from = ring.end;
    for (let id = 1001; id <= 1040; id++) ring.push(row(id, T0 + id));
    view.appended(from);
    expect(feed.sync(view, filter)).toBe(true);
    expect(feed.histogram).toBe(before); // same object: counted incrementally
    expect(feed.histogram.total).toBe(260);
    filter = { ...filter, text: '' };
    view.setFilter(filter, T0 + 2000);
    feed.sync(view, filter);
    expect(feed.histogram.total).toBe(1040);
    // Past the ring's capacity (plus its eviction chunk) the oldest rows go; the histogram recounts to match.
    const f2 = ring.end;
    for (let id = 1041; id <= 3000; id++) ring.push(row(id, T0 + id));
    view.appended(f2);
    feed.sync(view, filter);
    expect(feed.histogram.total).toBe(view.length);
  });
});

import { describe, expect, it } from 'vitest';
import { FrameBatcher } from '../src/lib/frame-batcher.js';
import { NotifyThrottle } from '../src/lib/notify-throttle.js';
import { BUCKETS, RateBuckets } from '../src/lib/rate-buckets.js';
import { computeWindow, MAX_SCROLL_PX, scrollTopFor } from '../src/lib/virtual-window.js';
import { fromWire } from '../src/lib/row.js';
import { createAppStore } from '../src/store/store.js';

describe('live batching', () => {
  it('hands any number of pushes to one flush per scheduled frame', () => {
    const ticks: Array<() => void> = [];
    const flushed: number[][] = [];
    const b = new FrameBatcher<number>(
      (items) => flushed.push(items),
      (run) => ticks.push(run),
    );
    for (let i = 0; i < 5000; i++) b.push([i]);
    expect(ticks.length).toBe(1);
    ticks.shift()!();
    expect(flushed.length).toBe(1);
    expect(flushed[0]!.length).toBe(5000);
    b.push([1, 2]);
    b.clear();
    ticks.shift()!();
    expect(flushed.length).toBe(1);
  });

  it('store: one version bump per appended batch, filters narrow the view, stats per project', () => {
    const store = createAppStore(1000);
    const versions: number[] = [];
    store.subscribe((s) => versions.push(s.rowsVersion));
    const batch = Array.from({ length: 300 }, (_, i) =>
      fromWire([
        i + 1,
        100 + i,
        100 + i,
        's',
        i + 1,
        i % 3 ? 'a' : 'b',
        i % 50 ? 'tick' : 'error',
        `d${i}`,
        `{"symbol":"${i % 2 ? 'EURUSD' : 'X'}"}`,
        'ws',
      ]),
    );
    store.getState().appendRows(batch);
    expect(versions).toEqual([1]);
    expect(store.getState().view.length).toBe(300);
    store.getState().setFilter({ project: 'b' });
    expect(store.getState().view.length).toBe(100);
    store.getState().setFilter({ project: '', text: 'symbol=EURUSD' });
    expect(store.getState().view.length).toBe(150);
    const live = store.getState().live.get('b')!;
    expect(live.tail.at(-1)!.id).toBe(298);
    expect(live.lastErrorAt).toBeGreaterThan(0);
    expect([...store.getState().types].sort()).toEqual(['error', 'tick']);
  });
});

describe('helpers', () => {
  it('rate buckets count per 10 s and age out', () => {
    const r = new RateBuckets();
    r.add(1000);
    r.add(1001);
    r.add(1015);
    const s = r.series(1019);
    expect(s.length).toBe(BUCKETS);
    expect(s.slice(-2)).toEqual([2, 1]);
    expect(r.series(1000 + BUCKETS * 10 + 20).every((n) => n === 0)).toBe(true);
  });

  it('notifications: one per interval, the rest summed into the next', () => {
    const t = new NotifyThrottle(10_000);
    expect(t.offer([{ project: 'p', desc: 'boom' }], 0)?.title).toBe('ic-audit: error in p');
    expect(
      t.offer(
        [
          { project: 'p', desc: 'a' },
          { project: 'q', desc: 'b' },
        ],
        1000,
      ),
    ).toBeNull();
    expect(t.poll(5000)).toBeNull();
    expect(t.poll(10_001)?.title).toBe('ic-audit: 2 errors in 2 projects');
    expect(t.poll(30_000)).toBeNull();
  });

  it('virtual window renders only visible rows and reaches both ends of a million rows', () => {
    const w = computeWindow(100, 22, 220, 440);
    expect([w.first, w.count, w.offsetY, w.contentHeight]).toEqual([20, 11, 440, 2200]);
    const total = 1_000_000;
    const top = computeWindow(total, 22, 660, 0);
    expect(top.first).toBe(0);
    expect(top.contentHeight).toBe(MAX_SCROLL_PX);
    const end = computeWindow(total, 22, 660, MAX_SCROLL_PX - 660);
    expect(end.first + end.count).toBeGreaterThanOrEqual(total - 1);
    const mid = scrollTopFor(500_000, total, 22, 660);
    expect(Math.abs(computeWindow(total, 22, 660, mid).first - 500_000)).toBeLessThanOrEqual(1);
  });
});

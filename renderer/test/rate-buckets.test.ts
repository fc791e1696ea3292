/** A project's sparkline counts: 10-second buckets over 5 minutes, aging out, late and early events. */
import { describe, expect, it } from 'vitest';
import { BUCKET_SECONDS, BUCKETS, RateBuckets } from '../src/lib/rate-buckets.js';

const T = 1_800_000_000; // a bucket boundary (divisible by 10)

describe('RateBuckets', () => {
  it('a fresh one is all zeros, BUCKETS long', () => {
    expect(new RateBuckets().series(T)).toEqual(Array(BUCKETS).fill(0));
  });

  it('counts each event in the bucket of its time; bucket edges belong to the later bucket', () => {
    const r = new RateBuckets();
    for (const t of [T, T + 9.999, T + 10, T + 25]) r.add(t);
    expect(r.series(T + 29).slice(-3)).toEqual([2, 1, 1]);
  });

  it('the series ends at the bucket of `now`; buckets slide out as time passes', () => {
    const r = new RateBuckets();
    r.add(T);
    const s = r.series(T + (BUCKETS - 1) * BUCKET_SECONDS);
    expect(s[0]).toBe(1);
    expect(r.series(T + BUCKETS * BUCKET_SECONDS)).toEqual(Array(BUCKETS).fill(0));
  });

  it('an event older than the window is ignored; one within it still counts, late', () => {
    const r = new RateBuckets();
    r.add(T + 1000);
    r.add(T + 1000 - BUCKETS * BUCKET_SECONDS);
    r.add(T + 1000 - (BUCKETS - 1) * BUCKET_SECONDS);
    const s = r.series(T + 1000);
    expect(s[0]).toBe(1);
    expect(s.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('a jump past the whole window clears it; a smaller jump clears only the buckets passed', () => {
    const r = new RateBuckets();
    for (let i = 0; i < BUCKETS; i++) r.add(T + i * BUCKET_SECONDS);
    r.add(T + (BUCKETS + 2) * BUCKET_SECONDS);
    const s = r.series(T + (BUCKETS + 2) * BUCKET_SECONDS);
    expect(s.slice(-3)).toEqual([0, 0, 1]);
    expect(s.slice(0, BUCKETS - 3)).toEqual(Array(BUCKETS - 3).fill(1));
    r.add(T + 10_000);
    expect(r.series(T + 10_000)).toEqual([...new Array<number>(BUCKETS - 1).fill(0), 1]);
  });

  it('asking for an earlier `now` does not rewind or lose counts', () => {
    const r = new RateBuckets();
    r.add(T + 100);
    expect(r.series(T).at(-1)).toBe(1);
    expect(r.series(T + 100).at(-1)).toBe(1);
  });
});

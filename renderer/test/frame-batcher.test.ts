/** Batching live rows per animation frame: one scheduled tick per batch, clearing, pushes made while flushing. */
import { describe, expect, it } from 'vitest';
import { FrameBatcher } from '../src/lib/frame-batcher.js';

/** A batcher whose ticks the test runs by hand. */
function batcher(): { b: FrameBatcher<number>; ticks: Array<() => void>; flushed: number[][] } {
  const ticks: Array<() => void> = [];
  const flushed: number[][] = [];
  const b = new FrameBatcher<number>(
    (items) => flushed.push(items),
    (run) => ticks.push(run),
  );
  return { b, ticks, flushed };
}

describe('FrameBatcher', () => {
  it('an empty push schedules nothing', () => {
    const { b, ticks } = batcher();
    b.push([]);
    expect(ticks).toHaveLength(0);
    expect(b.pending).toBe(0);
  });

  it('keeps the order of items across pushes and counts them while pending', () => {
    const { b, ticks, flushed } = batcher();
    b.push([1, 2]);
    b.push([3]);
    expect(b.pending).toBe(3);
    ticks.shift()!();
    expect(flushed).toEqual([[1, 2, 3]]);
    expect(b.pending).toBe(0);
  });

  it('after a flush, the next push schedules a new tick', () => {
    const { b, ticks, flushed } = batcher();
    b.push([1]);
    ticks.shift()!();
    b.push([2]);
    expect(ticks).toHaveLength(1);
    ticks.shift()!();
    expect(flushed).toEqual([[1], [2]]);
  });

  it('a tick after clear flushes nothing, and pushes after it are scheduled again', () => {
    const { b, ticks, flushed } = batcher();
    b.push([1]);
    b.clear();
    expect(b.pending).toBe(0);
    ticks.shift()!();
    expect(flushed).toEqual([]);
    b.push([2]);
    expect(ticks).toHaveLength(1);
    ticks.shift()!();
    expect(flushed).toEqual([[2]]);
  });

  it('a push made before a tick runs, after clear, rides the tick already scheduled', () => {
    const { b, ticks, flushed } = batcher();
    b.push([1]);
    b.clear();
    b.push([2]);
    expect(ticks).toHaveLength(1);
    ticks.shift()!();
    expect(flushed).toEqual([[2]]);
  });

  it('items pushed by the flush itself go to the next tick, not lost or flushed twice', () => {
    const ticks: Array<() => void> = [];
    const flushed: number[][] = [];
    const b: FrameBatcher<number> = new FrameBatcher<number>(
      (items) => {
        flushed.push(items);
        if (items[0] === 1) b.push([99]);
      },
      (run) => ticks.push(run),
    );
    b.push([1]);
    ticks.shift()!();
    expect(flushed).toEqual([[1]]);
    expect(ticks).toHaveLength(1);
    ticks.shift()!();
    expect(flushed).toEqual([[1], [99]]);
  });
});

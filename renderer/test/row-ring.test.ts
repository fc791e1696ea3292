/** The console's row store: newest rows within capacity, stable ordinals across chunked eviction, duplicates refused. */
import { describe, expect, it } from 'vitest';
import { fromWire, type Row } from '../src/lib/row.js';
import { RowRing } from '../src/lib/row-ring.js';

const row = (id: number): Row => fromWire([id, id, id, 's', id, 'P', 't', null, '{}', 'ws']);

describe('RowRing', () => {
  it('an empty ring: no rows, ordinals 0..0, nothing at any ordinal', () => {
    const ring = new RowRing(4);
    expect([ring.size, ring.first, ring.end, ring.maxId]).toEqual([0, 0, 0, 0]);
    expect(ring.oldest()).toBeUndefined();
    expect(ring.at(0)).toBeUndefined();
  });

  it('refuses an id not newer than the newest held, including the same id', () => {
    const ring = new RowRing(4);
    expect(ring.push(row(5))).toBe(true);
    expect(ring.push(row(5))).toBe(false);
    expect(ring.push(row(3))).toBe(false);
    expect(ring.push(row(9))).toBe(true);
    expect([ring.size, ring.maxId]).toEqual([2, 9]);
  });

  it('holds up to twice its capacity, then drops back to capacity; ordinals never move', () => {
    const ring = new RowRing(3);
    for (let id = 1; id <= 6; id++) ring.push(row(id));
    expect([ring.size, ring.first, ring.end]).toEqual([6, 0, 6]);
    ring.push(row(7));
    expect([ring.size, ring.first, ring.end]).toEqual([3, 4, 7]);
    expect(ring.oldest()!.id).toBe(5);
    // Ordinal k still names the k-th row ever pushed, or nothing once it is evicted.
    expect(ring.at(3)).toBeUndefined();
    expect([4, 5, 6].map((o) => ring.at(o)!.id)).toEqual([5, 6, 7]);
    expect(ring.at(7)).toBeUndefined();
    for (let id = 8; id <= 20; id++) ring.push(row(id));
    for (let o = ring.first; o < ring.end; o++) expect(ring.at(o)!.id).toBe(o + 1);
  });

  it('clear keeps ordinals rising, so an old ordinal never names a new row; ids start over', () => {
    const ring = new RowRing(10);
    for (let id = 1; id <= 5; id++) ring.push(row(id));
    ring.clear();
    expect([ring.size, ring.first, ring.end, ring.maxId]).toEqual([0, 5, 5, 0]);
    expect(ring.push(row(2))).toBe(true);
    expect(ring.at(0)).toBeUndefined();
    expect(ring.at(5)!.id).toBe(2);
  });

  it('a capacity of zero keeps nothing for long', () => {
    const ring = new RowRing(0);
    ring.push(row(1));
    expect(ring.size).toBe(0);
    expect(ring.maxId).toBe(1);
    expect(ring.push(row(1))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { EventRing } from '../src/event-ring.js';

const ser = (seq: number, type: unknown): string => `{"seq":${seq},"t":${JSON.stringify(type)}}`;
const len = (s: string): number => s.length;

describe('EventRing', () => {
  it('numbers events from 1 and grows past its initial capacity', () => {
    const r = new EventRing(100, 4);
    for (let i = 0; i < 50; i++) expect(r.push(`e${i}`, '', 0, undefined)).toBe(0);
    expect(r.count).toBe(50);
    expect(r.headSeq).toBe(1);
    expect(r.nextSeq).toBe(51);
    expect(r.serializePending(ser, len)).toBe(50);
    expect(r.jsonAt(1)).toBe('{"seq":1,"t":"e0"}');
    expect(r.jsonAt(50)).toBe('{"seq":50,"t":"e49"}');
    expect(r.jsonAt(51)).toBeNull();
    expect(r.bytes).toBe([...Array(50).keys()].reduce((a, i) => a + ser(i + 1, `e${i}`).length, 0));
  });

  it('when full, drops the oldest and reports it', () => {
    const r = new EventRing(10, 4);
    let dropped = 0;
    for (let i = 0; i < 25; i++) dropped += r.push(`e${i}`, '', 0, undefined);
    expect(dropped).toBe(15);
    expect(r.count).toBe(10);
    expect(r.headSeq).toBe(16);
    r.serializePending(ser, len);
    expect(r.jsonAt(15)).toBeNull();
    expect(r.jsonAt(16)).toBe('{"seq":16,"t":"e15"}');
    expect(r.jsonAt(25)).toBe('{"seq":25,"t":"e24"}');
  });

  it('releases acked events and keeps byte accounting exact across wrap-around', () => {
    const r = new EventRing(8, 8);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 6; i++) r.push('x', '', 0, undefined);
      r.serializePending(ser, len);
      expect(r.releaseThrough(r.nextSeq - 3)).toBe(round === 0 ? 4 : 6);
      expect(r.count).toBe(2);
      expect(r.bytes).toBe(r.sizeAt(r.headSeq) + r.sizeAt(r.headSeq + 1));
    }
    expect(r.releaseThrough(1e9)).toBe(2);
    expect(r.count).toBe(0);
    expect(r.bytes).toBe(0);
    expect(r.headSeq).toBe(r.nextSeq);
  });

  it('serializes only raw events and drops references to the bot objects', () => {
    const r = new EventRing(10);
    const seen: unknown[] = [];
    r.push('a', 'd', 1, { k: 1 });
    r.serializePending((seq, t, d, time, f) => (seen.push(f), ser(seq, t)), len);
    r.push('b', 'd', 2, { k: 2 });
    expect(r.serializePending((seq, t, d, time, f) => (seen.push(f), ser(seq, t)), len)).toBe(1);
    expect(seen).toEqual([{ k: 1 }, { k: 2 }]);
    expect(r.readyUpTo).toBe(2);
  });
});

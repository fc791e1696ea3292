import { describe, expect, it } from 'vitest';
import { EventRing } from '../src/event-ring.js';

const ser = (seq: number, type: unknown): string => `{"seq":${seq},"t":${JSON.stringify(type)}}`;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
/** The serialized JSON of one retained event, read back from the store. */
const jsonAt = (r: EventRing, seq: number): string => text(r.jsonBytes(seq, seq));

describe('EventRing', () => {
  it('numbers events from 1 and grows past its initial capacity', () => {
    const r = new EventRing(100, 4);
    for (let i = 0; i < 50; i++) expect(r.push(`e${i}`, '', 0, undefined)).toBe(0);
    expect(r.count).toBe(50);
    expect(r.headSeq).toBe(1);
    expect(r.nextSeq).toBe(51);
    expect(r.serializePending(ser)).toBe(50);
    expect(jsonAt(r, 1)).toBe('{"seq":1,"t":"e0"}');
    expect(jsonAt(r, 50)).toBe('{"seq":50,"t":"e49"}');
    expect(text(r.jsonBytes(1, 3))).toBe('{"seq":1,"t":"e0"},{"seq":2,"t":"e1"},{"seq":3,"t":"e2"}');
    expect(r.bytes).toBe([...Array(50).keys()].reduce((a, i) => a + ser(i + 1, `e${i}`).length, 0));
  });

  it('when full, drops the oldest and reports it', () => {
    const r = new EventRing(10, 4);
    let dropped = 0;
    for (let i = 0; i < 25; i++) dropped += r.push(`e${i}`, '', 0, undefined);
    expect(dropped).toBe(15);
    expect(r.count).toBe(10);
    expect(r.headSeq).toBe(16);
    r.serializePending(ser);
    expect(r.readyUpTo).toBe(25);
    expect(jsonAt(r, 16)).toBe('{"seq":16,"t":"e15"}');
    expect(jsonAt(r, 25)).toBe('{"seq":25,"t":"e24"}');
  });

  it('releases acked events and keeps byte accounting exact across wrap-around', () => {
    const r = new EventRing(8, 8);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 6; i++) r.push('x', '', 0, undefined);
      r.serializePending(ser);
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
    r.serializePending((seq, t, d, time, f) => (seen.push(f), ser(seq, t)));
    r.push('b', 'd', 2, { k: 2 });
    expect(r.serializePending((seq, t, d, time, f) => (seen.push(f), ser(seq, t)))).toBe(1);
    expect(seen).toEqual([{ k: 1 }, { k: 2 }]);
    expect(r.readyUpTo).toBe(2);
  });

  it('keeps events as UTF-8 bytes, back to back, through store compaction and growth', () => {
    const r = new EventRing(5_000, 16);
    const json = (seq: number, t: unknown): string => JSON.stringify({ seq, t });
    const body = (from: number, to: number): string =>
      Array.from({ length: to - from + 1 }, (_, k) =>
        json(from + k, `é-${from + k}-${'x'.repeat((from + k) % 300)}`),
      ).join(',');
    let acked = 0;
    for (let round = 1; round <= 60; round++) {
      for (let k = 0; k < 97; k++) r.push(`é-${r.nextSeq}-${'x'.repeat(r.nextSeq % 300)}`, '', 0, undefined);
      r.serializePending(json);
      // Ack some, keep some: live events move within the store (64 KiB at first) and the store grows.
      acked += round % 3 === 0 ? 150 : 40;
      r.releaseThrough(Math.min(acked, r.nextSeq - 1));
      const from = r.headSeq;
      const to = r.nextSeq - 1;
      if (to >= from) expect(text(r.jsonBytes(from, to))).toBe(body(from, to));
      expect(r.bytes).toBe(new TextEncoder().encode(body(from, to)).length - Math.max(0, to - from));
    }
  });

  it('reuses emptied slot chunks: a steady stream touches only the chunks its in-flight events need', () => {
    const r = new EventRing(1_000, 8);
    const json = (seq: number): string => `{"seq":${seq}}`;
    const chunks = (): number => (r as unknown as { chunks: unknown[] }).chunks.filter((c) => c !== undefined).length;
    for (let round = 0; round < 500; round++) {
      for (let k = 0; k < 5; k++) r.push('t', '', 0, undefined);
      r.serializePending(json);
      r.releaseThrough(r.nextSeq - 11); // 10 in flight
      expect(chunks()).toBeLessThanOrEqual(3);
      expect(new TextDecoder().decode(r.jsonBytes(r.headSeq, r.nextSeq - 1))).toBe(
        Array.from({ length: r.count }, (_, k) => json(r.headSeq + k)).join(','),
      );
    }
    // Full ring, wrapped: the live range runs around into the head's own chunk, which must stay.
    for (let k = 0; k < 2_500; k++) r.push('t', '', 0, undefined);
    r.serializePending(json);
    expect(r.count).toBe(1_000);
    expect(new TextDecoder().decode(r.jsonBytes(r.headSeq, r.nextSeq - 1))).toBe(
      Array.from({ length: 1_000 }, (_, k) => json(r.headSeq + k)).join(','),
    );
  });

  it('an event dropped while it is being serialized (a getter sending into a full buffer) is not stored', () => {
    const r = new EventRing(4, 2);
    for (let k = 0; k < 4; k++) r.push(`e${k}`, '', 0, undefined);
    let reentered = false;
    r.serializePending((seq, t) => {
      if (!reentered) {
        reentered = true;
        expect(r.push('late', '', 0, undefined)).toBe(1); // full: drops seq 1, the one being serialized
      }
      return ser(seq, t);
    });
    expect(r.headSeq).toBe(2);
    expect(r.count).toBe(4);
    expect(r.readyUpTo).toBe(5);
    expect(text(r.jsonBytes(2, 5))).toBe([ser(2, 'e1'), ser(3, 'e2'), ser(4, 'e3'), ser(5, 'late')].join(','));
    expect(r.bytes).toBe([ser(2, 'e1'), ser(3, 'e2'), ser(4, 'e3'), ser(5, 'late')].join('').length);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineId, LineWindow } from '../src/collector/line-window.js';
import { parseRecordLine } from '@ic-audit/shared';

/** A record-shaped line with id `id` and `pad` filler characters (multi-byte ones included). */
function line(id: number, pad: number): string {
  return JSON.stringify({ id, event_type: 't', fields: { pad: 'é'.repeat(pad % 7) + 'x'.repeat(pad) } });
}

/** The batch shape the journal hands over: bytes of whole lines and where each ends. */
function batch(lines: string[]): { bytes: Buffer; ends: Uint32Array } {
  const bytes = Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8');
  const ends: number[] = [];
  let at = 0;
  for (const l of lines) {
    at += Buffer.byteLength(l);
    ends.push(at);
    at++;
  }
  return { bytes, ends: Uint32Array.from(ends) };
}

const ids = (w: LineWindow): number[] => w.newest(Infinity).map((r) => r.id);

describe('LineWindow', () => {
  it('keeps the newest `capacity` records, across many batches', () => {
    const w = new LineWindow(5, 1 << 20);
    expect(w.oldestId).toBe(Infinity);
    expect(w.newest(10)).toEqual([]);
    for (let first = 1; first <= 12; first += 3) {
      const { bytes, ends } = batch([line(first, 1), line(first + 1, 2), line(first + 2, 3)]);
      w.push(bytes, ends, first);
    }
    expect(ids(w)).toEqual([8, 9, 10, 11, 12]);
    expect(w.oldestId).toBe(8);
    expect(w.newest(2).map((r) => r.id)).toEqual([11, 12]);
    expect(w.newest(0)).toEqual([]);
    expect(w.newest(2)[1]).toEqual(parseRecordLine(line(12, 3)));
    const seen: number[] = [];
    w.walkBackwards((r) => seen.push(r.id) < 3);
    expect(seen).toEqual([12, 11, 10]);
  });

  it('holds only what fits its bytes, wrapping around the ring', () => {
    const lines = Array.from({ length: 40 }, (_, i) => line(i + 1, 10 + ((i * 13) % 50)));
    const w = new LineWindow(1_000, 600);
    for (let i = 0; i < lines.length; i += 4) {
      const { bytes, ends } = batch(lines.slice(i, i + 4));
      w.push(bytes, ends, i + 1);
      const held = ids(w);
      expect(held.at(-1)).toBe(Math.min(i + 4, 40));
      expect(held).toEqual(Array.from({ length: held.length }, (_, k) => held[0]! + k));
      expect(held.reduce((s, id) => s + Buffer.byteLength(lines[id - 1]!) + 1, 0)).toBeLessThanOrEqual(600);
      expect(w.newest(Infinity)).toEqual(held.map((id) => parseRecordLine(lines[id - 1]!)));
    }
  });

  it("copies from the journal's shared memory at any offset, each commit placed to its alignment, lines exact", () => {
    const lines = Array.from({ length: 60 }, (_, i) => line(i + 1, 5 + ((i * 7) % 40)));
    const w = new LineWindow(1_000, 2_000);
    for (let i = 0, k = 0; i < lines.length; i += 5, k++) {
      const { bytes, ends } = batch(lines.slice(i, i + 5));
      const shared = Buffer.from(new SharedArrayBuffer(bytes.length + 16)).subarray(k % 9, (k % 9) + bytes.length);
      shared.set(bytes);
      w.push(shared, ends, i + 1);
      // The commit's first line starts at a ring offset of the source's alignment (or at 0, where the ring wrapped).
      const ring = w as unknown as { starts: Uint32Array; first: number; count: number };
      const at = ring.starts[(ring.first + ring.count - 5) % ring.starts.length]!;
      if (at !== 0) expect(at % 8).toBe(shared.byteOffset % 8);
      const held = ids(w);
      expect(held.at(-1)).toBe(i + 5);
      expect(w.newest(Infinity)).toEqual(held.map((id) => parseRecordLine(lines[id - 1]!)));
    }
    expect(ids(w).length).toBeGreaterThan(20); // wrapped, still holding most of what fits
  });

  it('starts over when a line is larger than the ring or ids jump', () => {
    const w = new LineWindow(100, 300);
    const start = batch([line(1, 5), line(2, 5)]);
    w.push(start.bytes, start.ends, 1);
    const big = batch([line(3, 400)]);
    w.push(big.bytes, big.ends, 3);
    expect(w.size).toBe(0);
    expect(w.oldestId).toBe(Infinity);
    const next = batch([line(4, 5), line(5, 5)]);
    w.push(next.bytes, next.ends, 4);
    expect(ids(w)).toEqual([4, 5]);
    expect(w.oldestId).toBe(4);
    const jump = batch([line(7, 5)]);
    w.push(jump.bytes, jump.ends, 7);
    expect(ids(w)).toEqual([7]);
    expect(w.oldestId).toBe(7);
    expect(new LineWindow(0, 1_000).size).toBe(0);
  });

  it('is always the newest contiguous run of what was pushed, within both limits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 200, max: 3_000 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 8 }), {
          minLength: 1,
          maxLength: 40,
        }),
        (capacity, ringBytes, batches) => {
          const w = new LineWindow(capacity, ringBytes);
          const all: string[] = [];
          for (const pads of batches) {
            const lines = pads.map((p, k) => line(all.length + k + 1, p));
            const { bytes, ends } = batch(lines);
            w.push(bytes, ends, all.length + 1);
            all.push(...lines);
            const held = w.newest(Infinity);
            const sizes = all.map((l) => Buffer.byteLength(l) + 1);
            expect(held.length).toBeLessThanOrEqual(capacity);
            expect(held.map(({ fields_raw: _raw, ...r }) => JSON.stringify(r))).toEqual(
              all.slice(all.length - held.length),
            );
            const heldBytes = sizes.slice(all.length - held.length).reduce((s, n) => s + n, 0);
            expect(heldBytes).toBeLessThanOrEqual(ringBytes);
            // It keeps at least what fits the ring with room for two of the largest lines to spare.
            const maxLine = Math.max(...sizes);
            let k = 0;
            let sum = 0;
            while (k < all.length && k < capacity && sum + sizes[all.length - 1 - k]! <= ringBytes - 2 * maxLine) {
              sum += sizes[all.length - 1 - k]!;
              k++;
            }
            expect(held.length).toBeGreaterThanOrEqual(k);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LineWindow.load / lineId', () => {
  it('loads whole lines into the ring, keeping the newest contiguous run, and adds commits made meanwhile', async () => {
    const text = [line(5, 1), line(6, 2), 'garbage', '', line(7, 3), line(8, 1), line(9, 0)].join('\n') + '\n';
    const w = new LineWindow(2, 10_000);
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const loaded = w.load(async (ring) => {
      await gate;
      return ring.write(text, 0, 'utf8');
    });
    expect(w.loading).toBe(true);
    const meanwhile = batch([line(10, 4)]);
    w.push(meanwhile.bytes, meanwhile.ends, 10);
    meanwhile.bytes.fill(0); // the caller's buffer is reused: the window must have kept a copy
    expect(w.size).toBe(0); // reads as empty: queries go to disk
    expect(w.oldestId).toBe(Infinity);
    expect(w.newest(10)).toEqual([]);
    release();
    await loaded;
    expect(w.loading).toBe(false);
    expect(ids(w)).toEqual([9, 10]);
    const more = batch([line(11, 2)]);
    w.push(more.bytes, more.ends, 11);
    expect(ids(w)).toEqual([10, 11]);
    const wide = new LineWindow(100, 10_000);
    await wide.load((ring) => Promise.resolve(ring.write(text, 0, 'utf8')));
    expect(ids(wide)).toEqual([7, 8, 9]); // what came before a line that is not a record is not contiguous
  });

  it('a failed load leaves what was committed meanwhile', async () => {
    const w = new LineWindow(10, 10_000);
    const loaded = w.load(async () => {
      await Promise.resolve();
      throw new Error('disk gone');
    });
    const b = batch([line(3, 1), line(4, 1)]);
    w.push(b.bytes, b.ends, 3);
    await expect(loaded).rejects.toThrow('disk gone');
    expect(ids(w)).toEqual([3, 4]);
  });

  it('reads the leading id, or null', () => {
    const read = (s: string): number | null => lineId(Buffer.from(s), 0, Buffer.byteLength(s));
    expect(read('{"id":42,"x":1}')).toBe(42);
    expect(read('{"id":,"x":1}')).toBeNull();
    expect(read('{"id":42')).toBeNull();
    expect(read('{"id":4x2,')).toBeNull();
    expect(read('{"ID":42,"x":1}')).toBeNull();
    expect(read('{"id":99999999999999999999,"x":1}')).toBeNull();
  });
});

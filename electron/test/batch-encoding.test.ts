// Compressed batch messages (batch-encoding.ts): what is sent compressed and what plain, and what a console reads back.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import { headers } from 'nats';
import { describe, expect, it } from 'vitest';
import {
  batchPayload,
  compressBatch,
  COMPRESS_MIN_BYTES,
  BROTLI,
  BROTLI_SPLIT,
  ENCODING_HEADER,
  MAX_INFLATED_BATCH_BYTES,
} from '../src/nats/batch-encoding.js';
import { joinSeals, SEAL_BYTES, sealsBytes, splitSeals } from '../src/nats/seal-split.js';
import { COLLECTOR_HEADER, decodeMessage, encodeBatch } from '../src/nats/stream-message.js';
import { LineMaker } from '../../bench/lib/workload.mjs';

/** `n` sealed journal lines of one bot, as the journal writes them. */
function journalLines(n: number): string[] {
  const maker = new LineMaker();
  const t = 1_790_000_000.5;
  return Array.from({ length: n }, (_, i) => maker.line('0f'.repeat(16), i, t + i / 1000, t + i / 1000, i));
}

function encoded(encoding: string | null) {
  const h = headers();
  h.set(COLLECTOR_HEADER, 'c-1');
  if (encoding !== null) h.set(ENCODING_HEADER, encoding);
  return h;
}

describe('batch encoding', () => {
  it('a batch of journal lines travels split and compressed, several times smaller, and reads back byte for byte', () => {
    const plain = encodeBatch(journalLines(250));
    const out = compressBatch(plain);
    expect(out.encoding).toBe(BROTLI_SPLIT);
    expect(out.payload.byteLength * 8).toBeLessThan(plain.byteLength);
    expect(batchPayload(out.payload, encoded(BROTLI_SPLIT))).toEqual(plain);
    // Split, it is smaller than the lines compressed whole (the hashes travel as raw bytes, not hex through Brotli).
    expect(out.payload.byteLength).toBeLessThan(brotliCompressSync(plain).byteLength);
    // The commit path (lines the journal has just sealed) gives the same bytes as the checked path, also from the
    // journal's memory (a SharedArrayBuffer, the lines at any offset: copied to the same alignment).
    expect(compressBatch(plain, true)).toEqual(out);
    for (const offset of [0, 3, 8, 13]) {
      const shared = Buffer.from(new SharedArrayBuffer(plain.byteLength + 16)).subarray(offset);
      shared.set(plain);
      expect(compressBatch(shared.subarray(0, plain.byteLength), true)).toEqual(out);
      // Copied to the source's alignment, so V8 copies the shared memory word by word.
      expect(splitSeals(shared.subarray(0, plain.byteLength), true)!.text.byteOffset % 8).toBe(shared.byteOffset % 8);
    }
    // A console reads the compressed message record for record as the plain one.
    const a = decodeMessage({ data: out.payload, headers: encoded(BROTLI_SPLIT), seq: 4 });
    const b = decodeMessage({ data: plain, headers: encoded(null), seq: 4 });
    expect(a).toHaveLength(250);
    expect(a).toEqual(b);
    expect(a.every((r) => r.hashOk)).toBe(true);
  });

  it('sends plain below COMPRESS_MIN_BYTES; compresses from it on; plain when Brotli would not shrink', () => {
    const line = Buffer.from(journalLines(1)[0]!.padEnd(COMPRESS_MIN_BYTES, ' '));
    const below = compressBatch(line.subarray(0, COMPRESS_MIN_BYTES - 1));
    expect([below.encoding, below.payload.byteLength]).toEqual([null, COMPRESS_MIN_BYTES - 1]);
    const at = compressBatch(line);
    expect(at.encoding).toBe(BROTLI);
    expect(batchPayload(at.payload, encoded(BROTLI))).toEqual(line);
    const noise = randomBytes(64 * 1024);
    const random = compressBatch(noise);
    expect(random.encoding).toBe(null);
    expect(random.payload).toBe(noise);
  });

  it('reads a plain message as it is; refuses an unknown encoding, a broken stream and a bomb, saying why (no records)', () => {
    const plain = encodeBatch(journalLines(3));
    expect(batchPayload(plain, encoded(null))).toEqual(plain);
    expect(batchPayload(plain, undefined)).toEqual(plain);
    expect(batchPayload(deflateRawSync(plain), encoded('deflate-raw'))).toBe('unknown Ic-Audit-Encoding "deflate-raw"');
    const packed = brotliCompressSync(plain);
    expect(batchPayload(packed.subarray(0, packed.length - 8), encoded(BROTLI))).toMatch(
      /^payload does not decompress/,
    );
    expect(batchPayload(plain, encoded(BROTLI))).toMatch(/^payload does not decompress/);
    // No record, and the reader is told which message and why (a console counts it against integrity).
    const told: Array<[number, string]> = [];
    const none = decodeMessage({ data: plain, headers: encoded(BROTLI), seq: 9 }, (seq, why) => told.push([seq, why]));
    expect(none).toEqual([]);
    expect(told).toEqual([[9, expect.stringMatching(/^payload does not decompress/)]]);
    // At the limit it decompresses; one byte past it, it is refused (a few bytes that would grow to 64 MiB+).
    const atLimit = brotliCompressSync(Buffer.alloc(MAX_INFLATED_BATCH_BYTES, 0x20));
    expect((batchPayload(atLimit, encoded(BROTLI)) as Buffer).byteLength).toBe(MAX_INFLATED_BATCH_BYTES);
    const past = brotliCompressSync(Buffer.alloc(MAX_INFLATED_BATCH_BYTES + 1, 0x20));
    expect(past.byteLength).toBeLessThan(1024);
    expect(batchPayload(past, encoded(BROTLI))).toBe(`payload would decompress past ${MAX_INFLATED_BATCH_BYTES} bytes`);
  });

  it('splits only lines it can rebuild exactly: else the batch is compressed whole (br), still byte for byte', () => {
    const lines = journalLines(40);
    const whole = (batch: string[]) => {
      const plain = encodeBatch(batch);
      const out = compressBatch(plain);
      expect(batchPayload(out.payload, encoded(out.encoding))).toEqual(plain);
      return out.encoding;
    };
    expect(whole(lines)).toBe(BROTLI_SPLIT);
    expect(whole(lines.slice(0, 12))).toBe(BROTLI_SPLIT);
    // A line missing in the middle: prev_hash no longer names the hash before it (a backlog that lost a line).
    expect(whole([...lines.slice(0, 10), ...lines.slice(11)])).toBe(BROTLI);
    // Two chains (another writer's lines), an upper-case hash digit, a line without a seal, a seal out of shape.
    expect(whole([...lines.slice(0, 10), ...journalLines(10)])).toBe(BROTLI);
    const upper = lines.slice(0, 10);
    upper[9] = upper[9]!.slice(0, -3) + upper[9]!.slice(-3, -2).toUpperCase().replace(/[0-9]/, 'A') + '"}';
    expect(whole(upper)).toBe(BROTLI);
    expect(
      whole([...lines.slice(0, 10), '{"note":"no seal here, but long enough to be split if unchecked"}'.repeat(3)]),
    ).toBe(BROTLI);
    const shape = lines.slice(0, 10);
    shape[4] = shape[4]!.replace(',"hash":"', ',"hasH":"');
    expect(whole(shape)).toBe(BROTLI);
    // Each of those is refused by the checked split itself.
    expect(splitSeals(encodeBatch([...lines.slice(0, 10), ...lines.slice(11)]))).toBeNull();
    expect(splitSeals(encodeBatch(shape))).toBeNull();
    const split = splitSeals(encodeBatch(lines.slice(0, 3)))!;
    expect(split.seals.byteLength).toBe(sealsBytes(3));
    expect(split.text.byteLength).toBe(encodeBatch(lines.slice(0, 3)).byteLength - 3 * SEAL_BYTES);
    expect(joinSeals(Buffer.from(split.seals), Buffer.from(split.text))).toEqual(encodeBatch(lines.slice(0, 3)));
  });

  it('refuses a split message whose head and text do not fit, saying why (no records)', () => {
    const plain = encodeBatch(journalLines(30));
    const out = compressBatch(plain);
    expect(out.encoding).toBe(BROTLI_SPLIT);
    const head = sealsBytes(30);
    const forged = (count: number, rest = out.payload.subarray(4)) => {
      const b = Buffer.concat([Buffer.alloc(4), rest]);
      b.writeUInt32BE(count, 0);
      return batchPayload(b, encoded(BROTLI_SPLIT));
    };
    expect(forged(0)).toBe('split batch head does not match its count');
    expect(forged(1_000_000)).toBe('split batch head does not match its count'); // no room for its hashes
    expect(batchPayload(out.payload.subarray(0, 3), encoded(BROTLI_SPLIT))).toBe(
      'split batch head does not match its count',
    );
    // One count off: the head ends inside the hashes, and the text behind it is no Brotli stream or has other lines.
    expect(forged(29)).toMatch(/^payload does not decompress|^split batch holds \d+ lines for 29 seals$/);
    const text = brotliCompressSync(Buffer.from('a\nb'));
    expect(forged(1, Buffer.concat([out.payload.subarray(4, 4 + 64), text]))).toBe(
      'split batch holds 2 lines for 1 seals',
    );
    expect(batchPayload(out.payload.subarray(0, head + 5), encoded(BROTLI_SPLIT))).toMatch(
      /^payload does not decompress/,
    );
    // A tampered hash byte rebuilds lines whose hashes do not match (record 5's seal, and record 6's prev_hash, which
    // its hash covers): the records are read and flagged, not dropped.
    const tampered = Buffer.from(out.payload);
    tampered[4 + 32 * 5] = tampered[4 + 32 * 5]! ^ 1;
    const records = decodeMessage({ data: tampered, headers: encoded(BROTLI_SPLIT), seq: 2 });
    expect(records).toHaveLength(30);
    expect(records.filter((r) => !r.hashOk).map((r) => r.record.id)).toEqual([5, 6]);
  });

  it('property: any chain of journal lines reads back byte for byte; a corrupted payload never throws', () => {
    /** Sealed, chained journal lines with arbitrary descriptions and field values (escapes, non-ASCII, long ones). */
    const chain = (texts: string[], at: number): string[] => {
      const maker = new LineMaker();
      return texts.map((t, i) => maker.line('ab'.repeat(16), i + 1, at + i, at + i / 7, i, t));
    };
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1_700_000_000, max: 1_800_000_000 }),
        fc.boolean(),
        fc.nat(),
        (texts, start, sealedHere, at) => {
          const plain = encodeBatch(chain(texts, start));
          const out = compressBatch(plain, sealedHere);
          expect(batchPayload(out.payload, encoded(out.encoding))).toEqual(plain);
          if (plain.byteLength >= COMPRESS_MIN_BYTES) expect(out.encoding).toBe(BROTLI_SPLIT);
          const bad = Buffer.from(out.payload);
          bad[at % bad.length] = bad[at % bad.length]! ^ 0x5a;
          const read = batchPayload(bad, encoded(out.encoding));
          expect(typeof read === 'string' || Buffer.isBuffer(read)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

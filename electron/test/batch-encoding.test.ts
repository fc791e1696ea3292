// Compressed batch messages (batch-encoding.ts): what is sent compressed and what plain, and what a console reads back.
import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import { headers } from 'nats';
import { describe, expect, it } from 'vitest';
import {
  batchPayload,
  compressBatch,
  COMPRESS_MIN_BYTES,
  BROTLI,
  ENCODING_HEADER,
  MAX_INFLATED_BATCH_BYTES,
} from '../src/nats/batch-encoding.js';
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
  it('a batch of journal lines travels compressed, several times smaller, and decompresses to the same bytes', () => {
    const plain = encodeBatch(journalLines(250));
    const out = compressBatch(plain);
    expect(out.encoding).toBe(BROTLI);
    expect(out.payload.byteLength * 4).toBeLessThan(plain.byteLength);
    expect(batchPayload(out.payload, encoded(BROTLI))).toEqual(plain);
    // A console reads the compressed message record for record as the plain one.
    const a = decodeMessage({ data: out.payload, headers: encoded(BROTLI), seq: 4 });
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
});

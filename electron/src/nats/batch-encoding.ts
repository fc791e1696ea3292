import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { MsgHdrs } from 'nats';
import { joinSeals, sealsBytes, splitSeals } from './seal-split.js';

/**
 * Header of a compressed batch message, naming its encoding ({@link BROTLI_SPLIT} or {@link BROTLI}). Without the
 * header the payload is the lines as they are (older messages, small batches).
 */
export const ENCODING_HEADER = 'Ic-Audit-Encoding';
/** The batch's lines compressed whole with Brotli (RFC 7932, `br` as in HTTP): written when they cannot be split. */
export const BROTLI = 'br';
/**
 * The batch split at its seals (seal-split.ts): a head of the line count (u32, big-endian) and the hashes as raw
 * bytes (the first line's `prev_hash`, then each line's `hash`), then the lines without their seals, compressed with
 * Brotli. Written for every batch of linked journal lines: ~20% smaller than {@link BROTLI} and compressed in less
 * than half the time, as Brotli no longer works through 128 random hex digits a line.
 */
export const BROTLI_SPLIT = 'br-split';
/**
 * Most bytes one compressed message may inflate to. Writers cut batches at the server's `max_payload` (at most
 * 64 MiB in NATS) before compressing, so a real batch is always below it; a larger one is refused unread, so a
 * forged message cannot make a console inflate gigabytes.
 */
export const MAX_INFLATED_BATCH_BYTES = 64 * 1024 * 1024;
/** Batches below this many bytes are sent plain: compressing them would save the servers too little. */
export const COMPRESS_MIN_BYTES = 1_024;
/**
 * Brotli quality 1: a busy bot's journal lines, compressed whole, shrink ~9.5x at ~0.65 µs per line on this machine,
 * where deflate level 1 gave ~7.8x at ~1.4 µs and quality 2 ~9.4x at ~1.5 µs; split at their seals ~11x at ~0.45 µs.
 * Run synchronously: zlib's async form cost ~0.4 µs per line more in all, part of it on the event loop anyway, and
 * needs a copy of the journal's reused buffer (bench/README.md, "NATS R3" and "NATS: batches split at their seals").
 */
const QUALITY = 1;

/** A batch's bytes as published, and their `Ic-Audit-Encoding` (null: plain lines). */
export interface EncodedBatch {
  payload: Buffer;
  encoding: string | null;
}

/**
 * The bytes to publish for a batch's `lines`: compressed when that is smaller, else `lines` itself (below
 * {@link COMPRESS_MIN_BYTES}, or when Brotli does not shrink them). A compressed payload is a new buffer; a plain
 * one is `lines` (the caller copies it if it reuses the memory).
 */
export function compressBatch(lines: Buffer, sealedHere = false): EncodedBatch {
  if (lines.byteLength < COMPRESS_MIN_BYTES) return { payload: lines, encoding: null };
  const split = splitSeals(lines, sealedHere);
  if (split !== null) {
    const packed = brotli(split.text);
    const size = split.seals.byteLength + packed.byteLength;
    return size < lines.byteLength
      ? { payload: Buffer.concat([split.seals, packed], size), encoding: BROTLI_SPLIT }
      : { payload: lines, encoding: null };
  }
  const out = brotli(lines);
  return out.byteLength < lines.byteLength ? { payload: out, encoding: BROTLI } : { payload: lines, encoding: null };
}

function brotli(bytes: Buffer): Buffer {
  return brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength },
  });
}

/**
 * The plain lines of a stream message: its payload, decompressed (and its seals put back) when the message says
 * `br` or `br-split`; else a sentence saying why it cannot be read (another encoding, a payload that does not
 * decompress or would grow past {@link MAX_INFLATED_BATCH_BYTES}, a split head that does not fit its lines). Such a
 * message is ours (it has the header) but carries no readable record.
 */
export function batchPayload(data: Uint8Array, hdrs: MsgHdrs | undefined): Buffer | string {
  const plain = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const encoding = hdrs?.get(ENCODING_HEADER) ?? '';
  if (encoding === '') return plain;
  if (encoding !== BROTLI && encoding !== BROTLI_SPLIT)
    return `unknown ${ENCODING_HEADER} ${JSON.stringify(encoding.slice(0, 40))}`;
  let head = 0;
  if (encoding === BROTLI_SPLIT) {
    // The count must leave room for its hashes: a forged one cannot make the reader allocate past the payload's size.
    const count = plain.byteLength >= 4 ? plain.readUInt32BE(0) : 0;
    if (count === 0 || sealsBytes(count) > plain.byteLength) return 'split batch head does not match its count';
    head = sealsBytes(count);
  }
  try {
    const text = brotliDecompressSync(plain.subarray(head), { maxOutputLength: MAX_INFLATED_BATCH_BYTES });
    return head === 0 ? text : joinSeals(plain.subarray(0, head), text);
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? `payload would decompress past ${MAX_INFLATED_BATCH_BYTES} bytes`
      : `payload does not decompress (${(err as Error).message})`;
  }
}

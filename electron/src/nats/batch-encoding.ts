import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { MsgHdrs } from 'nats';

/**
 * Header of a compressed batch message: the payload is the batch's lines compressed with Brotli (RFC 7932, `br` as
 * in HTTP). Without the header the payload is the lines as they are (older messages, small batches).
 */
export const ENCODING_HEADER = 'Ic-Audit-Encoding';
/** The one encoding this version writes (and the only one it reads besides plain lines). */
export const BROTLI = 'br';
/**
 * Most bytes one compressed message may inflate to. Writers cut batches at the server's `max_payload` (at most
 * 64 MiB in NATS) before compressing, so a real batch is always below it; a larger one is refused unread, so a
 * forged message cannot make a console inflate gigabytes.
 */
export const MAX_INFLATED_BATCH_BYTES = 64 * 1024 * 1024;
/** Batches below this many bytes are sent plain: compressing them would save the servers too little. */
export const COMPRESS_MIN_BYTES = 1_024;
/**
 * Brotli quality 1: a busy bot's journal lines shrink ~9x at ~0.8 µs per line on this machine, where deflate level 1
 * gave ~7.8x at ~1.5 µs and quality 2 ~9.4x at ~1.5 µs. Run synchronously: zlib's async form cost ~0.4 µs per line
 * more in all, part of it on the event loop anyway, and needs a copy of the journal's reused buffer
 * (bench/README.md, "NATS R3").
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
export function compressBatch(lines: Buffer): EncodedBatch {
  if (lines.byteLength < COMPRESS_MIN_BYTES) return { payload: lines, encoding: null };
  const out = brotliCompressSync(lines, {
    params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: lines.byteLength },
  });
  return out.byteLength < lines.byteLength ? { payload: out, encoding: BROTLI } : { payload: lines, encoding: null };
}

/**
 * The plain lines of a stream message: its payload, decompressed when the message says `br`; else a sentence saying
 * why it cannot be read (another encoding, a payload that does not decompress or would grow past
 * {@link MAX_INFLATED_BATCH_BYTES}). Such a message is ours (it has the header) but carries no readable record.
 */
export function batchPayload(data: Uint8Array, hdrs: MsgHdrs | undefined): Buffer | string {
  const plain = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const encoding = hdrs?.get(ENCODING_HEADER) ?? '';
  if (encoding === '') return plain;
  if (encoding !== BROTLI) return `unknown ${ENCODING_HEADER} ${JSON.stringify(encoding.slice(0, 40))}`;
  try {
    return brotliDecompressSync(plain, { maxOutputLength: MAX_INFLATED_BATCH_BYTES });
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? `payload would decompress past ${MAX_INFLATED_BATCH_BYTES} bytes`
      : `payload does not decompress (${(err as Error).message})`;
  }
}

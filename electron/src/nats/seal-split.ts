/**
 * Every journal line ends with its seal: `,"prev_hash":"<64 hex>","hash":"<64 hex>"}` (shared/src/record.ts). The
 * two hashes are random hex, which Brotli can at best halve and spends most of its time on;
 * within a batch of consecutive records each `prev_hash` repeats the hash before it. A split batch carries the lines
 * without their seals (to be compressed) and the hashes apart as raw bytes: the chunk's first `prev_hash`, then each
 * line's `hash`. {@link joinSeals} rebuilds the exact lines, byte for byte.
 */

/** Bytes of a line's seal: `,"prev_hash":"` + 64 + `","hash":"` + 64 + `"}`. */
export const SEAL_BYTES = 154;
const PREV = Buffer.from(',"prev_hash":"', 'latin1');
const MID = Buffer.from('","hash":"', 'latin1');
const END = Buffer.from('"}', 'latin1');
const PREV_HEX_AT = SEAL_BYTES - PREV.length;
const MID_AT = PREV_HEX_AT - 64;
const HASH_HEX_AT = MID_AT - MID.length;
/** A split batch's head: its line count (u32, big-endian), then 32 bytes per hash. */
const COUNT_BYTES = 4;
const NEWLINE = 0x0a;

/** Lowercase hex digit values; -1 for any other byte (an upper-case digit would not rebuild the same bytes). */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX[0x61 + c] = 10 + c;

/** A batch without its seals: `seals` is the head (count and hashes); `text` the lines without them, `\n`-joined. */
export interface SplitBatch {
  seals: Buffer;
  /** A view of memory reused by the next {@link splitSeals} call: compress it before calling again. */
  text: Buffer;
}

let scratch = Buffer.alloc(0);

/** Decodes 64 lowercase hex digits of `src` at `at` into 32 bytes of `dst` at `to`; false if any is not one. */
function unhex(src: Buffer, at: number, dst: Buffer, to: number): boolean {
  for (let k = 0; k < 32; k++) {
    const hi = HEX[src[at + 2 * k]!]!;
    const lo = HEX[src[at + 2 * k + 1]!]!;
    if ((hi | lo) < 0) return false;
    dst[to + k] = (hi << 4) | lo;
  }
  return true;
}

/** True when `src` holds `pattern` at `at` (a JS loop: cheaper than a native call for these few bytes). */
function holds(src: Buffer, at: number, pattern: Buffer): boolean {
  for (let k = 0; k < pattern.length; k++) if (src[at + k] !== pattern[k]) return false;
  return true;
}

/** True when the 64 bytes of `src` at `a` and at `b` are the same. */
function same64(src: Buffer, a: number, b: number): boolean {
  for (let k = 0; k < 64; k++) if (src[a + k] !== src[b + k]) return false;
  return true;
}

let ends = new Int32Array(1024);

/**
 * Splits `\n`-joined journal lines into seals and text; null when any line does not end in a well-formed seal or
 * does not link to the line before it (the caller then compresses the lines whole). `sealedHere`: the lines are a
 * run of a group commit the journal has just sealed in this process (journal/seal-chain.ts wrote every seal, each
 * `prev_hash` the hash before it), so only the hash digits are checked; lines read back from disk are checked whole.
 */
export function splitSeals(lines: Buffer, sealedHere = false): SplitBatch | null {
  let count = 0;
  for (let at = lines.indexOf(NEWLINE); ; at = lines.indexOf(NEWLINE, at + 1)) {
    if (count === ends.length) {
      const grown = new Int32Array(2 * count);
      grown.set(ends);
      ends = grown;
    }
    ends[count++] = at < 0 ? lines.byteLength : at;
    if (at < 0) break;
  }
  const seals = Buffer.allocUnsafe(sealsBytes(count));
  seals.writeUInt32BE(count, 0);
  // One copy of the whole batch, then each line moved down over the seals before it: no per-line copy call (Buffer's
  // copy makes a view per call, which cost more than the bytes it moved). The journal's memory is a
  // SharedArrayBuffer, which V8 copies word by word only to the same alignment (byte by byte, ~8x slower, else).
  const base = lines.byteOffset & 7;
  if (scratch.byteLength < base + lines.byteLength)
    scratch = Buffer.allocUnsafe(Math.max(base + lines.byteLength, 2 * scratch.byteLength));
  scratch.set(lines, base);
  let out = base;
  let start = 0;
  let prevHashHex = -1;
  for (let i = 0; i < count; i++) {
    const end = ends[i]!;
    if (end - start <= SEAL_BYTES) return null;
    if (i === 0) {
      if (!unhex(lines, end - PREV_HEX_AT, seals, COUNT_BYTES)) return null;
    } else if (!sealedHere && !same64(lines, end - PREV_HEX_AT, prevHashHex)) return null;
    if (
      !sealedHere &&
      (!holds(lines, end - SEAL_BYTES, PREV) || !holds(lines, end - MID_AT, MID) || !holds(lines, end - 2, END))
    ) {
      return null;
    }
    prevHashHex = end - HASH_HEX_AT;
    if (!unhex(lines, prevHashHex, seals, COUNT_BYTES + 32 * (i + 1))) return null;
    if (i > 0) scratch[out++] = NEWLINE;
    if (out !== base + start) scratch.copyWithin(out, base + start, base + end - SEAL_BYTES);
    out += end - SEAL_BYTES - start;
    start = end + 1;
  }
  return { seals, text: scratch.subarray(base, out) };
}

/** The two lowercase hex digits of each byte value, as char codes (high digit in the high byte). */
const HEX_PAIR = new Uint16Array(256);
for (let b = 0; b < 256; b++)
  HEX_PAIR[b] = ('0123456789abcdef'.charCodeAt(b >> 4) << 8) | '0123456789abcdef'.charCodeAt(b & 15);

/** Writes the 32 bytes of `src` at `at` as 64 lowercase hex digits into `dst` at `to`. */
function hex(src: Buffer, at: number, dst: Buffer, to: number): void {
  for (let k = 0; k < 32; k++) {
    const pair = HEX_PAIR[src[at + k]!]!;
    dst[to + 2 * k] = pair >> 8;
    dst[to + 2 * k + 1] = pair & 0xff;
  }
}

/**
 * The exact lines of a split batch from its `seals` head and its (decompressed) `text`; a sentence saying why when
 * they do not fit together (a head too short for its count, a count other than the text's lines).
 */
export function joinSeals(seals: Buffer, text: Buffer): Buffer | string {
  const count = seals.byteLength >= COUNT_BYTES ? seals.readUInt32BE(0) : 0;
  if (count === 0 || seals.byteLength !== sealsBytes(count)) return 'split batch head does not match its count';
  let lines = 1;
  for (let at = text.indexOf(NEWLINE); at >= 0; at = text.indexOf(NEWLINE, at + 1)) lines++;
  if (lines !== count) return `split batch holds ${lines} lines for ${count} seals`;
  // The text copied once, then each line moved up to its place, last first (so nothing is overwritten before it
  // moved), and its seal written after it.
  const out = Buffer.allocUnsafe(text.byteLength + count * SEAL_BYTES);
  out.set(text);
  let end = text.byteLength;
  let pos = out.byteLength;
  for (let i = count - 1; i >= 0; i--) {
    const start = i === 0 ? 0 : text.lastIndexOf(NEWLINE, end - 1) + 1;
    pos -= SEAL_BYTES;
    out.set(PREV, pos);
    hex(seals, COUNT_BYTES + 32 * i, out, pos + PREV.length);
    out.set(MID, pos + PREV.length + 64);
    hex(seals, COUNT_BYTES + 32 * (i + 1), out, pos + PREV.length + 64 + MID.length);
    out[pos + SEAL_BYTES - 2] = END[0]!;
    out[pos + SEAL_BYTES - 1] = END[1]!;
    pos -= end - start;
    if (pos !== start) out.copyWithin(pos, start, end);
    if (i > 0) out[--pos] = NEWLINE;
    end = start - 1;
  }
  return out;
}

/** Bytes of the seals head of a batch of `count` lines. */
export function sealsBytes(count: number): number {
  return COUNT_BYTES + 32 * (count + 1);
}

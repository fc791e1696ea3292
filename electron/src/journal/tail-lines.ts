import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { listSegments } from './segments.js';

const CHUNK = 1 << 20;

/** Bytes `[start, end)` of one journal segment: whole lines, each ending in a newline. */
export interface TailRange {
  file: string;
  start: number;
  end: number;
}

/**
 * Where the last `n` complete lines of the journal are (at most `maxBytes` of them, whole lines only), oldest
 * first, one range per segment. Reads backwards from the newest segment through one reused buffer, so the cost
 * depends on `n`, not on the journal's size, and nothing is decoded. Bytes after the last newline (a line being
 * written) are left out. `chunkBytes` is the read size (small in tests, to cross chunk boundaries).
 */
export function tailRanges(journalDir: string, n: number, maxBytes = Infinity, chunkBytes = CHUNK): TailRange[] {
  const out: TailRange[] = [];
  const buf = Buffer.allocUnsafe(chunkBytes);
  let need = n;
  let budget = maxBytes;
  const segments = listSegments(journalDir);
  for (let s = segments.length - 1; s >= 0 && need > 0 && budget > 0; s--) {
    const file = segments[s]!;
    const fd = openSync(file, 'r');
    try {
      let pos = fstatSync(fd).size;
      let end = -1; // just past the segment's last newline, once found
      let start = -1; // start of the oldest line taken so far
      let full = false; // the byte budget stopped the walk
      while (pos > 0 && need > 0 && !full) {
        const len = Math.min(chunkBytes, pos);
        pos -= len;
        readSync(fd, buf, 0, len, pos);
        let at = len; // newlines are searched below this index
        if (end < 0) {
          const last = at > 0 ? buf.lastIndexOf(0x0a, at - 1) : -1;
          if (last < 0) continue;
          end = start = pos + last + 1;
          at = last;
        }
        while (need > 0 && at > 0) {
          const nl = buf.lastIndexOf(0x0a, at - 1);
          if (nl < 0) break;
          // The line between this newline and `start` becomes the oldest one taken, if it fits the budget.
          if (end - (pos + nl + 1) > budget) {
            full = true;
            break;
          }
          start = pos + nl + 1;
          need--;
          at = nl;
        }
      }
      // At the file's start, the first line has no newline before it.
      if (pos === 0 && !full && need > 0 && start > 0) {
        // A first line past the budget ends the walk here too: going on into an older segment would leave a gap.
        if (end <= budget) {
          start = 0;
          need--;
        } else full = true;
      }
      if (end >= 0 && start < end) {
        out.unshift({ file, start, end });
        budget -= end - start;
      }
      if (full) break;
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

/** Total bytes of some ranges. */
export function rangesBytes(ranges: readonly TailRange[]): number {
  return ranges.reduce((sum, r) => sum + r.end - r.start, 0);
}

/** Reads the ranges back to back into `into` (at least {@link rangesBytes} long), synchronously. */
export function readRangesSync(ranges: readonly TailRange[], into: Buffer): number {
  let off = 0;
  for (const r of ranges) {
    const fd = openSync(r.file, 'r');
    try {
      for (let pos = r.start; pos < r.end;) {
        const n = readSync(fd, into, off, r.end - pos, pos);
        if (n === 0) throw new Error(`${r.file} ended before byte ${r.end}`);
        pos += n;
        off += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  return off;
}

/**
 * Same as {@link readRangesSync}, in the thread pool: the copy into `into` (and, for fresh memory, the page faults
 * of touching it) happen off the main thread.
 */
export async function readRanges(ranges: readonly TailRange[], into: Buffer): Promise<number> {
  let off = 0;
  for (const r of ranges) {
    const fh = await open(r.file, 'r');
    try {
      for (let pos = r.start; pos < r.end;) {
        const { bytesRead } = await fh.read(into, off, r.end - pos, pos);
        if (bytesRead === 0) throw new Error(`${r.file} ended before byte ${r.end}`);
        pos += bytesRead;
        off += bytesRead;
      }
    } finally {
      await fh.close();
    }
  }
  return off;
}

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { listSegments } from './segments.js';

const CHUNK = 4 << 20;

/** Newlines in `data[0, end)`, counted from the end, stopping once `want` were seen; returns [count, offset of the last one seen]. */
function countBack(data: Buffer, end: number, want: number): [number, number] {
  let count = 0;
  let at = end;
  while (count < want && at > 0) {
    const nl = data.lastIndexOf(0x0a, at - 1);
    if (nl < 0) break;
    count++;
    at = nl;
  }
  return [count, at];
}

/**
 * The bytes of the last `n` complete lines of the journal (each ending in a newline), one Buffer per segment,
 * oldest first. Read backwards from the newest segment so the cost depends on `n`, not on the journal's size;
 * nothing is decoded. Bytes after the last newline (a line being written) are skipped. `chunkBytes` is the read
 * size (small in tests, to cross chunk boundaries).
 */
export function readTailBytes(journalDir: string, n: number, chunkBytes = CHUNK): Buffer[] {
  const out: Buffer[] = [];
  let need = n;
  const segments = listSegments(journalDir);
  for (let s = segments.length - 1; s >= 0 && need > 0; s--) {
    const fd = openSync(segments[s]!, 'r');
    try {
      const size = fstatSync(fd).size;
      const parts: Buffer[] = [];
      let pos = size;
      let lineEnd = -1; // offset in the file just past the last newline
      let found = 0;
      while (pos > 0 && found <= need) {
        const len = Math.min(chunkBytes, pos);
        const buf = Buffer.allocUnsafeSlow(len);
        readSync(fd, buf, 0, len, pos - len);
        pos -= len;
        parts.unshift(buf);
        let end = len;
        if (lineEnd < 0) {
          const last = buf.lastIndexOf(0x0a);
          if (last < 0) continue;
          lineEnd = pos + last + 1;
          end = last; // that newline closes the newest line; count the ones before it
          found = 1;
        }
        const [count, at] = countBack(buf, end, need + 1 - found);
        found += count;
        if (found > need) {
          // `at` is the newline just before the oldest wanted line.
          parts[0] = buf.subarray(at + 1);
          pos += at + 1;
          found = need;
          break;
        }
      }
      if (lineEnd < 0) continue;
      const bytes = Buffer.concat(parts).subarray(0, lineEnd - pos);
      out.unshift(bytes);
      need -= found;
    } finally {
      closeSync(fd);
    }
  }
  return out;
}

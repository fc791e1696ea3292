import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { listSegments } from './segments.js';

const CHUNK = 1 << 20;

/** Index of the last newline at or before `from` (Buffer.lastIndexOf would count a negative offset from the end). */
function lastNewline(data: Buffer, from: number): number {
  return from < 0 ? -1 : data.lastIndexOf(0x0a, from);
}

/**
 * The last `n` complete lines of the journal, oldest first, read backwards from the newest segment so the cost
 * depends on `n`, not on the journal's size. Bytes after the last newline (a line being written) are skipped.
 */
export function readTailLines(journalDir: string, n: number): string[] {
  const out: string[] = [];
  const segments = listSegments(journalDir);
  for (let s = segments.length - 1; s >= 0 && out.length < n; s--) {
    const fd = openSync(segments[s]!, 'r');
    try {
      let end = fstatSync(fd).size;
      let carry: Buffer = Buffer.alloc(0);
      let first = true;
      while (end > 0 && out.length < n) {
        const len = Math.min(CHUNK, end);
        const buf = Buffer.alloc(len);
        readSync(fd, buf, 0, len, end - len);
        end -= len;
        let data = carry.length === 0 ? buf : Buffer.concat([buf, carry]);
        if (first) {
          // Drop an unfinished last line.
          data = data.subarray(0, data.lastIndexOf(0x0a) + 1);
          first = false;
        }
        let stop = data.length;
        if (stop > 0 && data[stop - 1] === 0x0a) stop--;
        let nl = lastNewline(data, stop - 1);
        while (nl !== -1 && out.length < n) {
          if (stop > nl + 1) out.push(data.toString('utf8', nl + 1, stop));
          stop = nl;
          nl = lastNewline(data, stop - 1);
        }
        carry = Buffer.from(data.subarray(0, stop));
        if (end === 0 && carry.length > 0 && out.length < n) out.push(carry.toString('utf8'));
      }
    } finally {
      closeSync(fd);
    }
  }
  return out.reverse();
}

import { closeSync, ftruncateSync, openSync, readSync, writeFileSync } from 'node:fs';

/**
 * Cuts the bytes after the last complete line off a segment and keeps them in `<segment>.torn-<time>` beside it,
 * so a power cut's half-written record is never silently dropped nor left to break the next append.
 * Returns the path of the kept-aside file.
 */
export function keepTornTail(segment: string, offset: number, nowMs: number): string {
  const fd = openSync(segment, 'r+');
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.alloc(1 << 16);
    let pos = offset;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      pos += n;
    }
    const aside = `${segment}.torn-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`;
    writeFileSync(aside, Buffer.concat(chunks), { mode: 0o600, flag: 'wx' });
    ftruncateSync(fd, offset);
    return aside;
  } finally {
    closeSync(fd);
  }
}

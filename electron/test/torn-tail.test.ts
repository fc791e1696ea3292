/** Recovery of a torn journal tail: the bytes after the last whole line are cut off and kept aside, never lost. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepTornTail } from '../src/journal/torn-tail.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-torn-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 10, 29, 12, 34, 56, 789);

let n = 0;
function segment(content: string | Buffer): string {
  const file = join(root, `s${n++}.jsonl`);
  writeFileSync(file, content);
  return file;
}

describe('keepTornTail', () => {
  it('cuts the segment at the offset and keeps the cut bytes, byte for byte, in a 0600 file named by the time', () => {
    const file = segment('{"id":1}\n{"id":2,"torn');
    const aside = keepTornTail(file, 9, NOW);
    expect(aside).toBe(`${file}.torn-2026-11-29T12-34-56-789Z`);
    expect(readFileSync(file, 'utf8')).toBe('{"id":1}\n');
    expect(readFileSync(aside, 'utf8')).toBe('{"id":2,"torn');
    expect(statSync(aside).mode & 0o777).toBe(0o600);
  });

  it('keeps tails larger than its read buffer and bytes that are not UTF-8', () => {
    const tail = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.alloc(200_000, 0x61),
      Buffer.from([0xe2, 0x82]),
    ]);
    const file = segment(Buffer.concat([Buffer.from('ok\n'), tail]));
    const aside = keepTornTail(file, 3, NOW);
    expect(readFileSync(aside).equals(tail)).toBe(true);
    expect(statSync(file).size).toBe(3);
  });

  it('an offset at the end keeps an empty file aside; at zero the whole segment goes aside', () => {
    const whole = segment('abc');
    expect(readFileSync(keepTornTail(whole, 0, NOW), 'utf8')).toBe('abc');
    expect(statSync(whole).size).toBe(0);
    const clean = segment('x\n');
    expect(readFileSync(keepTornTail(clean, 2, NOW), 'utf8')).toBe('');
    expect(readFileSync(clean, 'utf8')).toBe('x\n');
  });

  it('never overwrites an earlier kept tail: a second cut at the same moment fails and leaves the segment whole', () => {
    const file = segment('a\nbb');
    keepTornTail(file, 2, NOW);
    writeFileSync(file, 'a\ncc');
    expect(() => keepTornTail(file, 2, NOW)).toThrow(/EEXIST/);
    expect(readFileSync(file, 'utf8')).toBe('a\ncc');
    expect(readdirSync(root).filter((f) => f.startsWith(file.slice(root.length + 1) + '.torn-'))).toHaveLength(1);
  });
});

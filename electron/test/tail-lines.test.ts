/** Where the journal's last lines are (read backwards, across segments and chunk edges, within a byte budget). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rangesBytes, readRanges, readRangesSync, tailRanges, type TailRange } from '../src/journal/tail-lines.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-tail-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A journal folder holding these segment files (name -> content), plus a non-segment file that must be ignored. */
function journal(segments: Record<string, string>): string {
  const dir = join(root, `j${dirs++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(segments)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'checkpoint.json'), '{"not":"a line"}\n');
  return dir;
}

/** The text the ranges cover, read with the sync reader (and checked against the async one). */
async function read(ranges: TailRange[]): Promise<string> {
  const a = Buffer.alloc(rangesBytes(ranges));
  const b = Buffer.alloc(rangesBytes(ranges));
  expect(readRangesSync(ranges, a)).toBe(a.length);
  expect(await readRanges(ranges, b)).toBe(b.length);
  expect(b.equals(a)).toBe(true);
  return a.toString('utf8');
}

/** What tailRanges should cover: the last `n` complete lines, newest back, stopping at the first that overflows `maxBytes`. */
function model(segments: string[], n: number, maxBytes: number): string {
  const lines = segments.flatMap((s) => s.slice(0, s.lastIndexOf('\n') + 1).match(/[^\n]*\n/g) ?? []);
  const out: string[] = [];
  let bytes = 0;
  for (let i = lines.length - 1; i >= 0 && out.length < n; i--) {
    const size = Buffer.byteLength(lines[i]!);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out.unshift(lines[i]!);
  }
  return out.join('');
}

const DAY1 = '2026-11-01.jsonl';
const DAY2 = '2026-11-02.jsonl';
const DAY3 = '2026-11-03.jsonl';

describe('tailRanges', () => {
  it('the last n lines, oldest first, one range per segment, across days', async () => {
    const dir = journal({ [DAY1]: 'a1\na2\n', [DAY2]: 'b1\nb2\nb3\n' });
    const ranges = tailRanges(dir, 4);
    expect(ranges).toEqual([
      { file: join(dir, DAY1), start: 3, end: 6 },
      { file: join(dir, DAY2), start: 0, end: 9 },
    ]);
    expect(await read(ranges)).toBe('a2\nb1\nb2\nb3\n');
    expect(await read(tailRanges(dir, 1))).toBe('b3\n');
    expect(await read(tailRanges(dir, 99))).toBe('a1\na2\nb1\nb2\nb3\n');
    expect(tailRanges(dir, 0)).toEqual([]);
  });

  it('leaves out bytes after the last newline (a torn or unfinished line), even a segment that is all torn', async () => {
    const dir = journal({ [DAY1]: 'a1\n', [DAY2]: 'b1\nb2\n{"torn":', [DAY3]: 'no newline yet' });
    expect(await read(tailRanges(dir, 2))).toBe('b1\nb2\n');
    expect(await read(tailRanges(dir, 3))).toBe('a1\nb1\nb2\n');
  });

  it('a missing folder or empty segments give nothing', () => {
    expect(tailRanges(join(root, 'missing'), 10)).toEqual([]);
    expect(tailRanges(journal({ [DAY1]: '', [DAY2]: '' }), 10)).toEqual([]);
  });

  it('finds lines longer than the read chunk and newlines on chunk edges, for every chunk size', async () => {
    const segments = ['x\n' + 'long'.repeat(10) + '\nmid\n', '€€\n\u{1F600}\n' + 'y'.repeat(17) + '\nz\n'];
    const dir = journal({ [DAY1]: segments[0]!, [DAY2]: segments[1]! });
    for (const chunk of [1, 2, 3, 4, 5, 7, 16, 41, 1 << 20]) {
      for (let n = 0; n <= 8; n++) {
        expect(await read(tailRanges(dir, n, Infinity, chunk)), `chunk ${chunk}, n ${n}`).toBe(
          model(segments, n, Infinity),
        );
      }
    }
  });

  it('within a byte budget: whole lines only, never more bytes than allowed', async () => {
    const segments = ['aa\nbbbb\n', 'c\ndddddd\ne\n'];
    const dir = journal({ [DAY1]: segments[0]!, [DAY2]: segments[1]! });
    expect(await read(tailRanges(dir, 10, 2))).toBe('e\n');
    expect(await read(tailRanges(dir, 10, 8))).toBe('e\n');
    expect(await read(tailRanges(dir, 10, 9))).toBe('dddddd\ne\n');
    expect(await read(tailRanges(dir, 10, 11))).toBe('c\ndddddd\ne\n');
    expect(await read(tailRanges(dir, 10, 15))).toBe('c\ndddddd\ne\n');
    expect(await read(tailRanges(dir, 10, 16))).toBe('bbbb\nc\ndddddd\ne\n');
    expect(tailRanges(dir, 10, 1)).toEqual([]);
    expect(tailRanges(dir, 10, 0)).toEqual([]);
    for (const budget of [0, 1, 2, 3, 8, 9, 10, 11, 12, 16, 18, 19, 100]) {
      for (const chunk of [1, 3, 64]) {
        const ranges = tailRanges(dir, 10, budget, chunk);
        expect(rangesBytes(ranges)).toBeLessThanOrEqual(budget);
      }
    }
  });

  // A line past the budget stops the walk, the segment's first line too: 'old' must not be taken past 'big-line'.
  it('the byte budget stops the walk at the first line of a segment too, leaving no gap', async () => {
    const segments = ['old\n', 'big-line\nnew\n'];
    const dir = journal({ [DAY1]: segments[0]!, [DAY2]: segments[1]! });
    expect(await read(tailRanges(dir, 10, 8))).toBe(model(segments, 10, 8));
  });

  it('a newest segment whose only line is past the budget yields nothing older either', async () => {
    const segments = ['old\n', 'a-very-long-line\n'];
    const dir = journal({ [DAY1]: segments[0]!, [DAY2]: segments[1]! });
    expect(await read(tailRanges(dir, 10, 8))).toBe('');
    expect(model(segments, 10, 8)).toBe('');
  });
});

describe('rangesBytes', () => {
  it('sums the ranges', () => {
    expect(rangesBytes([])).toBe(0);
    expect(
      rangesBytes([
        { file: 'a', start: 3, end: 10 },
        { file: 'b', start: 0, end: 5 },
      ]),
    ).toBe(12);
  });

  it('reading a range past the end of its file fails loudly, sync and async', async () => {
    const dir = journal({ [DAY1]: 'ab\n' });
    const past = [{ file: join(dir, DAY1), start: 0, end: 10 }];
    expect(() => readRangesSync(past, Buffer.alloc(10))).toThrow(/ended before byte 10/);
    await expect(readRanges(past, Buffer.alloc(10))).rejects.toThrow(/ended before byte 10/);
  });
});

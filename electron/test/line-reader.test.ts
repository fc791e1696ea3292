/** Streaming a file's complete lines with byte offsets: chunk edges, multi-byte text, early stop, waiting, torn tail. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines } from '../src/journal/line-reader.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-lines-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** The reader's chunk size (its highWaterMark). */
const CHUNK = 1 << 20;

let n = 0;
function file(content: string | Buffer): string {
  const path = join(root, `f${n++}`);
  writeFileSync(path, content);
  return path;
}

/** Every line and its offset, plus what readLines resolves with. */
async function collect(
  path: string,
  start?: number,
): Promise<{ lines: Array<[string, number]>; tail: string; tailOffset: number }> {
  const lines: Array<[string, number]> = [];
  const r = await readLines(path, (line, offset) => void lines.push([line, offset]), start);
  expect(r.stopped).toBe(false);
  return { lines, tail: r.tail.toString('utf8'), tailOffset: r.tailOffset };
}

describe('readLines', () => {
  it('each complete line with the byte offset of its first byte; multi-byte characters count as their bytes', async () => {
    expect(await collect(file('a\n€uro\n\nend\n'))).toEqual({
      lines: [
        ['a', 0],
        ['€uro', 2],
        ['', 9],
        ['end', 10],
      ],
      tail: '',
      tailOffset: 14,
    });
  });

  it('bytes after the last newline come back as the tail, with their offset; CR stays part of a line', async () => {
    expect(await collect(file('x\r\n{"torn":'))).toEqual({ lines: [['x\r', 0]], tail: '{"torn":', tailOffset: 3 });
    expect(await collect(file('no newline at all'))).toEqual({ lines: [], tail: 'no newline at all', tailOffset: 0 });
    expect(await collect(file(''))).toEqual({ lines: [], tail: '', tailOffset: 0 });
  });

  it('starts at a byte offset, reporting offsets in the whole file', async () => {
    expect(await collect(file('one\ntwo\nthree\n'), 4)).toEqual({
      lines: [
        ['two', 4],
        ['three', 8],
      ],
      tail: '',
      tailOffset: 14,
    });
  });

  it('joins lines across read chunks, a multi-byte character split by the chunk edge included', async () => {
    const long = 'L'.repeat(CHUNK + 100);
    // '€' is 3 bytes: it starts 1 byte before the end of the second chunk, so that chunk ends inside it.
    const split = 'x'.repeat(CHUNK - (long.length + 1) - 1 + CHUNK) + '€' + 'y';
    const content = `${long}\n${split}\nshort\ntail`;
    const { lines, tail, tailOffset } = await collect(file(content));
    expect(lines.map(([l, o]) => [l.length, o])).toEqual([
      [long.length, 0],
      [split.length, long.length + 1],
      [5, long.length + 1 + Buffer.byteLength(split) + 1],
    ]);
    expect(lines[1]![0]).toBe(split);
    expect([tail, tailOffset]).toEqual(['tail', Buffer.byteLength(content) - 4]);
  });

  it('stops when the callback returns false; the offset after that line is where to go on', async () => {
    const path = file('a\nb\nc\n');
    const seen: string[] = [];
    const r = await readLines(path, (line) => {
      seen.push(line);
      return line !== 'b';
    });
    expect(seen).toEqual(['a', 'b']);
    expect(r).toEqual({ tail: Buffer.alloc(0), tailOffset: 4, stopped: true });
    expect((await collect(path, r.tailOffset)).lines).toEqual([['c', 4]]);
  });

  it('waits for a callback that returns a promise before the next line, and stops on a promised false', async () => {
    const path = file('1\n2\n3\n4\n');
    const order: string[] = [];
    const r = await readLines(path, async (line) => {
      order.push(`start ${line}`);
      await Promise.resolve();
      await new Promise<void>((resolve) => setImmediate(resolve));
      order.push(`end ${line}`);
      return line !== '3';
    });
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(r.stopped).toBe(true);
  });

  it('a callback that throws rejects the read', async () => {
    await expect(
      readLines(file('a\nb\n'), () => {
        throw new Error('bad line');
      }),
    ).rejects.toThrow('bad line');
  });

  it('a missing file rejects with ENOENT', async () => {
    await expect(readLines(join(root, 'missing'), () => undefined)).rejects.toThrow(/ENOENT/);
  });
});

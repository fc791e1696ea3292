/** Journal segment names: one file per UTC day, names that sort in time order, and listing only segment files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, listSegments, segmentDay, segmentName } from '../src/journal/segments.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-segments-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('segmentName / segmentDay', () => {
  it('names the UTC day of a moment, whatever the local time zone', () => {
    expect(segmentName(Date.UTC(2026, 10, 29, 0, 0, 0))).toBe('2026-11-29.jsonl');
    expect(segmentName(Date.UTC(2026, 10, 29, 23, 59, 59, 999))).toBe('2026-11-29.jsonl');
    expect(segmentName(Date.UTC(2026, 10, 30))).toBe('2026-11-30.jsonl');
    expect(segmentName(0)).toBe('1970-01-01.jsonl');
    expect(segmentDay('2026-11-29.jsonl')).toBe('2026-11-29');
    expect(segmentDay(segmentName(Date.UTC(2030, 0, 1, 12)))).toBe('2030-01-01');
  });

  it('names sort as their days do', () => {
    const days = [Date.UTC(2026, 0, 9), Date.UTC(2026, 0, 10), Date.UTC(2026, 9, 1), Date.UTC(2027, 0, 1)];
    const names = days.map(segmentName);
    expect([...names].reverse().sort()).toEqual(names);
  });
});

describe('listSegments', () => {
  it('lists only segment files, oldest first, as absolute paths', () => {
    const dir = join(root, 'journal');
    mkdirSync(dir);
    for (const name of [
      '2026-11-30.jsonl',
      '2026-01-02.jsonl',
      '2025-12-31.jsonl',
      CHECKPOINT_FILE,
      '2026-11-30.jsonl.tmp',
      'x2026-11-30.jsonl',
      '2026-1-30.jsonl',
      'notes.txt',
    ]) {
      writeFileSync(join(dir, name), '');
    }
    expect(listSegments(dir)).toEqual(
      ['2025-12-31.jsonl', '2026-01-02.jsonl', '2026-11-30.jsonl'].map((n) => join(dir, n)),
    );
  });

  it('a missing folder has no segments; a file where the folder should be is an error', () => {
    expect(listSegments(join(root, 'missing'))).toEqual([]);
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect(() => listSegments(file)).toThrow(/ENOTDIR/);
  });
});

/** Record queries: the in-memory window first, then older journal segments from disk; the journal's tail read directly. */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '@ic-audit/shared';
import { batchRecords, Journal, type JournalEntry } from '../src/journal/journal.js';
import { listSegments } from '../src/journal/segments.js';
import { matches, queryRecords, queryWindow, recentFromDisk, type RecordQuery } from '../src/read-model/query.js';
import { RecentWindow } from '../src/read-model/recent-window.js';

/** Three UTC days, one journal segment each, four records a day (ids 1-4, 5-8, 9-12). */
const DAYS = [0, 1, 2].map((d) => Date.UTC(2026, 10, 26 + d, 12));
const PER_DAY = 4;
/** Every third record of a day is the collector's own (ids 3, 7, 11); odd ids are project A, even ones B. */
const isInternal = (id: number): boolean => id % PER_DAY === 3;
const project = (id: number): string => (id % 2 === 1 ? 'A' : 'B');
/** received_at of record `id`: its day's noon plus its place in the day. */
const receivedAt = (id: number): number => DAYS[Math.floor((id - 1) / PER_DAY)]! / 1000 + ((id - 1) % PER_DAY);

function entry(id: number): JournalEntry {
  const session = isInternal(id) ? 'collector-session' : 'bot-session-0001';
  return {
    receivedAt: receivedAt(id),
    session,
    sessionJson: JSON.stringify(session),
    seq: isInternal(id) ? 0 : id,
    source: isInternal(id) ? 'collector' : 'ws',
    projectName: project(id),
    projectJson: JSON.stringify(project(id)),
    eventType: isInternal(id) ? 'ic-audit.session' : 'trade',
    description: `record ${id}`,
    timestamp: receivedAt(id),
    fieldsJson: JSON.stringify({ id }),
    fieldsText: null,
    layout: null,
  };
}

let root = '';
let dir = '';
/** Every record as the journal committed it, oldest first. */
const all: JournalRecord[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ic-audit-query-'));
  dir = join(root, 'journal');
  let now = DAYS[0]!;
  const journal = new Journal(dir, { lastId: 0, lastHash: '' }, (b) => all.push(...batchRecords(b)), {
    now: () => now,
  });
  try {
    for (let day = 0; day < DAYS.length; day++) {
      now = DAYS[day]!;
      for (let i = 1; i <= PER_DAY; i++) journal.append(entry(day * PER_DAY + i));
      await journal.drain();
    }
  } finally {
    await journal.close();
  }
});

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

/** A window holding the newest `n` committed records. */
function windowOf(n: number, capacity = n): RecentWindow {
  const w = new RecentWindow(capacity);
  for (const r of all.slice(all.length - n)) w.push(r);
  return w;
}

const ids = (rs: readonly JournalRecord[]): number[] => rs.map((r) => r.id);
/** Ids 12..1 newest first, keeping those `keep` accepts. */
const expected = (keep: (id: number) => boolean): number[] => Array.from({ length: 12 }, (_, i) => 12 - i).filter(keep);

describe('the journal under test', () => {
  it('is three day segments of four records each', () => {
    expect(listSegments(dir).map((f) => f.slice(-16))).toEqual([
      '2026-11-26.jsonl',
      '2026-11-27.jsonl',
      '2026-11-28.jsonl',
    ]);
    expect(ids(all)).toEqual(expected(() => true).reverse());
  });
});

describe('matches', () => {
  const bot = (): JournalRecord => all[0]!;
  const internal = (): JournalRecord => all[2]!;

  it('leaves collector records out unless asked, and applies since / until inclusively', () => {
    const t = bot().received_at;
    expect(matches({ limit: 1 }, bot())).toBe(true);
    expect(matches({ limit: 1 }, internal())).toBe(false);
    expect(matches({ limit: 1, includeInternal: true }, internal())).toBe(true);
    expect(matches({ limit: 1, since: t, until: t }, bot())).toBe(true);
    expect(matches({ limit: 1, since: t + 0.001 }, bot())).toBe(false);
    expect(matches({ limit: 1, until: t - 0.001 }, bot())).toBe(false);
  });

  it('applies the predicate last, only to records the window rules let through', () => {
    const seen: number[] = [];
    const q: RecordQuery = { limit: 1, match: (r) => (seen.push(r.id), r.project_name === 'A') };
    expect(matches(q, all[0]!)).toBe(true);
    expect(matches(q, all[1]!)).toBe(false);
    expect(matches(q, internal())).toBe(false);
    expect(seen).toEqual([1, 2]);
  });
});

describe('queryWindow', () => {
  it('walks newest first, below `before`, up to `limit`, skipping what does not match', () => {
    const w = windowOf(8);
    expect(ids(queryWindow(w, { limit: 3 }).out)).toEqual([12, 10, 9]);
    expect(ids(queryWindow(w, { limit: 3, before: 10 }).out)).toEqual([9, 8, 6]);
    expect(ids(queryWindow(w, { limit: 100, includeInternal: true, before: 7 }).out)).toEqual([6, 5]);
    expect(ids(queryWindow(w, { limit: 100, match: (r) => r.project_name === 'B' }).out)).toEqual([12, 10, 8, 6]);
    expect(queryWindow(w, { limit: 100 }).reachedStart).toBe(false);
  });

  it('stops at the first record older than `since` and says the start was reached', () => {
    const w = windowOf(8);
    const r = queryWindow(w, { limit: 100, since: receivedAt(9) });
    expect(ids(r.out)).toEqual([12, 10, 9]);
    expect(r.reachedStart).toBe(true);
    // `since` exactly at the window's oldest record: nothing in the window is older, so the start is not proven.
    const edge = queryWindow(w, { limit: 100, since: receivedAt(5) });
    expect(ids(edge.out)).toEqual([12, 10, 9, 8, 6, 5]);
    expect(edge.reachedStart).toBe(false);
  });

  it('a full ring keeps the newest records only; an empty one answers nothing', () => {
    const ring = windowOf(12, 3);
    expect([ring.size, ring.oldestId]).toEqual([3, 10]);
    expect(ids(ring.newest(10))).toEqual([10, 11, 12]);
    expect(ids(queryWindow(ring, { limit: 10, includeInternal: true }).out)).toEqual([12, 11, 10]);
    const empty = new RecentWindow(4);
    expect([empty.size, empty.oldestId]).toEqual([0, Infinity]);
    expect(queryWindow(empty, { limit: 10 })).toEqual({ out: [], reachedStart: false });
  });
});

describe('queryRecords', () => {
  it('answers from the window alone when it holds enough', async () => {
    // A journal folder that does not exist proves the disk was not read.
    expect(ids(await queryRecords(join(root, 'missing'), windowOf(4), { limit: 2 }))).toEqual([12, 10]);
  });

  it('continues past the window into older segments, newest first, each record once', async () => {
    const w = windowOf(3);
    expect(ids(await queryRecords(dir, w, { limit: 100, includeInternal: true }))).toEqual(expected(() => true));
    expect(ids(await queryRecords(dir, w, { limit: 100 }))).toEqual(expected((id) => !isInternal(id)));
    expect(ids(await queryRecords(dir, w, { limit: 5 }))).toEqual([12, 10, 9, 8, 6]);
    expect(ids(await queryRecords(dir, new RecentWindow(5), { limit: 4 }))).toEqual([12, 10, 9, 8]);
  });

  it('pages backwards with `before`, below the window and across segment boundaries', async () => {
    const w = windowOf(3);
    expect(ids(await queryRecords(dir, w, { limit: 3, before: 9 }))).toEqual([8, 6, 5]);
    expect(ids(await queryRecords(dir, w, { limit: 3, before: 5 }))).toEqual([4, 2, 1]);
    expect(ids(await queryRecords(dir, w, { limit: 3, before: 1 }))).toEqual([]);
    expect(ids(await queryRecords(dir, w, { limit: 2, before: 11, includeInternal: true }))).toEqual([10, 9]);
  });

  it('keeps the newest matches of a segment when it holds more than the page needs', async () => {
    const w = new RecentWindow(2);
    const q: RecordQuery = { limit: 1, before: 9, includeInternal: true };
    expect(ids(await queryRecords(dir, w, q))).toEqual([8]);
    expect(ids(await queryRecords(dir, w, { ...q, limit: 6 }))).toEqual([8, 7, 6, 5, 4, 3]);
  });

  it('applies since / until and the predicate on disk as in the window', async () => {
    const w = windowOf(2);
    const day2 = { since: receivedAt(5), until: receivedAt(8) };
    expect(ids(await queryRecords(dir, w, { limit: 100, ...day2, includeInternal: true }))).toEqual([8, 7, 6, 5]);
    expect(ids(await queryRecords(dir, w, { limit: 100, since: receivedAt(6) }))).toEqual([12, 10, 9, 8, 6]);
    const a = await queryRecords(dir, w, { limit: 100, match: (r) => r.project_name === 'A' });
    expect(ids(a)).toEqual(expected((id) => project(id) === 'A' && !isInternal(id)));
  });

  it('returns records equal to the committed ones, fields included', async () => {
    const found = await queryRecords(dir, new RecentWindow(1), { limit: 100, includeInternal: true });
    const plain = (rs: JournalRecord[]): unknown => JSON.parse(JSON.stringify(rs));
    expect(plain(found)).toEqual(plain([...all].reverse()));
  });
});

describe('recentFromDisk', () => {
  it('reads the newest records straight from the segments, oldest first, across segments', () => {
    expect(ids(recentFromDisk(dir, 1))).toEqual([12]);
    expect(ids(recentFromDisk(dir, 6))).toEqual([7, 8, 9, 10, 11, 12]);
    expect(ids(recentFromDisk(dir, 100))).toEqual(expected(() => true).reverse());
    expect(recentFromDisk(dir, 0)).toEqual([]);
    expect(recentFromDisk(dir, -1)).toEqual([]);
    expect(recentFromDisk(join(root, 'missing'), 10)).toEqual([]);
  });

  it('leaves out a torn last line (bytes after the last newline)', () => {
    const copy = join(root, 'torn');
    cpSync(dir, copy, { recursive: true });
    appendFileSync(listSegments(copy).at(-1)!, '{"id":13,"received_at":');
    expect(ids(recentFromDisk(copy, 2))).toEqual([11, 12]);
  });
});

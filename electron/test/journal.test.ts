/**
 * The journal on its own, in a temp dir: group commit, and what a waiting drain is told when the disk fails and
 * the journal closes (shutdown meeting a disk fault). A failing disk without root: the segment is a symlink to
 * /dev/full, where every write fails with ENOSPC.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRecordLine, recordLine, type JournalRecord } from '@ic-audit/shared';
import {
  batchRecords,
  Journal,
  JournalClosedError,
  type CommittedBatch,
  type JournalEntry,
} from '../src/journal/journal.js';
import { scanJournal } from '../src/journal/scan.js';
import { segmentName } from '../src/journal/segments.js';

const NOW = Date.UTC(2026, 10, 29, 12);

/** One bot event for session `s` (the only place this test knows the entry's shape). */
function entry(seq: number, s = 'journal-test-session'): JournalEntry {
  return {
    receivedAt: NOW / 1000,
    session: s,
    sessionJson: JSON.stringify(s),
    seq,
    source: 'ws',
    projectName: 'JournalTest',
    projectJson: '"JournalTest"',
    eventType: 'trade_opened',
    description: `event ${seq}`,
    timestamp: NOW / 1000,
    fieldsJson: JSON.stringify({ seq, text: 'prix € ✓' }),
    fieldsText: null,
    layout: null,
  };
}

const dirs: string[] = [];
const journals: Journal[] = [];
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close(0);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(opts: { fullDisk?: boolean } = {}): { dir: string; journal: Journal; batches: CommittedBatch[] } {
  const dir = join(mkdtempSync(join(tmpdir(), 'ic-audit-journal-')), 'journal');
  dirs.push(join(dir, '..'));
  const batches: CommittedBatch[] = [];
  const journal = new Journal(
    dir,
    { lastId: 0, lastHash: '' },
    (b) => batches.push({ ...b, bytes: Buffer.from(b.bytes) }),
    {
      now: () => NOW,
      retryBaseMs: 5,
      retryMaxMs: 20,
    },
  );
  journals.push(journal);
  if (opts.fullDisk) symlinkSync('/dev/full', join(dir, segmentName(NOW)));
  return { dir, journal, batches };
}

/** Polls a condition (bounded), for states the journal shows but does not announce. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('Journal', () => {
  it('commits appended entries as one chained segment and resolves drains once they are on disk', async () => {
    const { dir, journal, batches } = open();
    for (let seq = 1; seq <= 50; seq++) journal.append(entry(seq));
    await journal.drain();
    expect(journal.idle).toBe(true);
    expect(batches.flatMap((b) => b.entries.map((e) => e.seq))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await journal.close();
    const seen: number[] = [];
    const scan = await scanJournal(dir, (r) => seen.push(r.seq));
    expect(scan.firstBreak).toBeNull();
    expect(scan.tail).toBeNull();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(readdirSync(dir)).toEqual([segmentName(NOW)]);
  });

  it('hands listeners records equal to what a reader parses back from the lines it wrote, exact fields included', async () => {
    const { dir } = open();
    const live: JournalRecord[] = [];
    const j2 = new Journal(join(dir, '..', 'j2'), { lastId: 0, lastHash: '' }, (b) => live.push(...batchRecords(b)), {
      now: () => NOW,
    });
    journals.push(j2);
    j2.append(entry(1));
    j2.append({
      ...entry(2),
      fieldsJson: '{"p":250.0,"n":"NaN"}',
      fieldsText: '{"p":250.0,"n":NaN}',
      layout: [2, -1, -1, 0],
    });
    await j2.drain();
    await j2.close();
    const lines = readFileSync(join(dir, '..', 'j2', segmentName(NOW)), 'utf8')
      .trim()
      .split('\n');
    expect(live.map((r) => JSON.parse(JSON.stringify(r)))).toEqual(
      lines.map((l) => JSON.parse(JSON.stringify(parseRecordLine(l)))),
    );
    expect(live[1]!.fields_raw).toBe('{"p":250.0,"n":NaN}');
    expect(live[1]!.fields).toEqual({ p: 250, n: 'NaN' });
    expect(lines.map((l, i) => recordLine(live[i]!) === l)).toEqual([true, true]);
  });

  it('refuses, not releases, drains whose entries never reached the disk when it closes on a failing disk', async () => {
    const { journal, batches } = open({ fullDisk: true });
    journal.append(entry(1));
    const waiting = journal.drain();
    await until(() => journal.fault !== null, 'the write to fail');
    expect(journal.fault?.code).toBe('ENOSPC');
    let answer: unknown = 'pending';
    waiting.then(
      () => (answer = 'resolved'),
      (err: unknown) => (answer = err),
    );
    await journal.close(50);
    await Promise.resolve();
    expect(answer).toBeInstanceOf(JournalClosedError);
    expect((answer as JournalClosedError).code).toBe('E_STORAGE');
    expect((answer as Error).message).toMatch(/not stored/);
    // A drain asked for after the close is refused too, and nothing was ever reported committed.
    await expect(journal.drain()).rejects.toBeInstanceOf(JournalClosedError);
    expect(batches).toHaveLength(0);
  });

  it('still resolves drains whose entries did commit before the close', async () => {
    const { journal } = open();
    journal.append(entry(1));
    const first = journal.drain();
    await first;
    await journal.close();
    await expect(journal.drain()).resolves.toBeUndefined();
  });
});

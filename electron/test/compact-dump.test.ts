/** The Python v0.4.7 server's compact text dump: local times as Python prints them, values as str(), grouping. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord, ProjectInfo } from '@ic-audit/shared';
import { COMPACT_DUMP_FILE, compactTrail, localDateTime, writeCompactDump } from '../src/dump/compact-dump.js';
import { batchRecords, Journal } from '../src/journal/journal.js';

const root = mkdtempSync(join(tmpdir(), 'ic-audit-compact-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Epoch seconds of a local wall-clock time (whatever this machine's zone). */
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;

const PROJECT: ProjectInfo = {
  project_name: 'Alpha',
  project_market: 'FX',
  project_description: 'desk',
  project_privileges: ['execute_trade', null],
};

describe('localDateTime', () => {
  it('prints a timestamp past any date as the number sent, instead of failing the dump', () => {
    expect(localDateTime(1e13)).toBe('10000000000000');
  });
  it('local YYYY-MM-DD HH:MM:SS, the fraction dropped', () => {
    expect(localDateTime(local(2026, 3, 7, 9, 5, 2))).toBe('2026-03-07 09:05:02');
    expect(localDateTime(local(2026, 12, 31, 23, 59, 59) + 0.5)).toBe('2026-12-31 23:59:59');
  });

  it('rounds to the microsecond first, as Python does, so .9999996 is the next second', () => {
    const t = local(1970, 1, 3, 0, 0, 0);
    expect(localDateTime(t + 0.9999994)).toBe('1970-01-03 00:00:00');
    expect(localDateTime(t + 0.9999996)).toBe('1970-01-03 00:00:01');
    expect(localDateTime(local(1999, 12, 31, 23, 59, 59) + 0.9999996)).toBe('2000-01-01 00:00:00');
  });
});

/** A record as the journal gives it back. */
function record(patch: Partial<JournalRecord>): JournalRecord {
  return {
    id: 1,
    received_at: local(2026, 1, 1, 0, 0, 0),
    session: 'session-0001',
    seq: 1,
    source: 'ws',
    project_name: 'Alpha',
    event_type: 'trade_opened',
    event_description: 'Opened',
    timestamp: local(2026, 1, 2, 3, 4, 5),
    fields: {},
    prev_hash: '',
    hash: '',
    fields_raw: '{}',
    ...patch,
  };
}

describe('compactTrail', () => {
  it("an SDK event: a blank line, then key: value in the Python client's order, values as str()", () => {
    const r = record({ fields_raw: '{"price":250.0,"ok":true,"note":null,"n":NaN,"tags":["a",1]}' });
    expect(compactTrail(r, PROJECT)).toBe(
      [
        '',
        'event_type: trade_opened',
        'event_description: Opened',
        'timestamp: 2026-01-02 03:04:05',
        'price: 250.0',
        'ok: True',
        'note: None',
        'n: nan',
        "tags: ['a', 1]",
        'project_name: Alpha',
        'project_market: FX',
        'project_description: desk',
        "project_privileges: ['execute_trade', None]",
        '',
      ].join('\n'),
    );
  });

  it('a null description prints None; an unknown session project prints empty metadata', () => {
    const text = compactTrail(record({ event_description: null }), undefined);
    expect(text).toContain('\nevent_description: None\n');
    expect(text).toContain('\nproject_market: \nproject_description: \nproject_privileges: []\n');
  });

  it('a flat event prints its keys as sent: one sent without a timestamp prints none', () => {
    const r = record({
      source: 'http',
      layout: [0, -1, -1, 1],
      timestamp: 1_700_000_000.25,
      event_description: null,
      fields_raw: '{"qty":3}',
    });
    expect(compactTrail(r, undefined)).toBe('\nevent_type: trade_opened\nproject_name: Alpha\nqty: 3\n');
  });
});

describe('writeCompactDump', () => {
  const dataDir = join(root, 'data');
  const NOW = local(2026, 11, 29, 12, 0, 0) * 1000;

  beforeAll(async () => {
    const journal = new Journal(join(dataDir, 'journal'), { lastId: 0, lastHash: '' }, (b) => void batchRecords(b), {
      now: () => NOW,
    });
    // Beta first, then Alpha with its events out of timestamp order, and one of the collector's own records.
    const rows: Array<[string, string, number, 'ws' | 'collector']> = [
      ['Beta', 'boot', 50, 'ws'],
      ['Alpha', 'second', 20, 'ws'],
      ['Alpha', 'ic-audit.session', 5, 'collector'],
      ['Alpha', 'first', 10, 'ws'],
    ];
    rows.forEach(([project, type, ts, source], i) =>
      journal.append({
        receivedAt: NOW / 1000,
        session: `s-${project}`,
        sessionJson: JSON.stringify(`s-${project}`),
        seq: source === 'collector' ? 0 : i + 1,
        source,
        projectName: project,
        projectJson: JSON.stringify(project),
        eventType: type,
        description: null,
        timestamp: local(2026, 11, 29, 0, 0, ts),
        fieldsJson: '{}',
        fieldsText: null,
        layout: null,
      }),
    );
    await journal.drain();
    await journal.close();
  });

  const ctx = {
    now: () => NOW,
    sessionProject: (s: string): ProjectInfo | undefined => (s === 's-Alpha' ? PROJECT : undefined),
  };

  it('every bot event grouped by project in first-seen order, each sorted by timestamp, under a dated header', async () => {
    const out = await writeCompactDump(dataDir, join(root, 'out', 'nested'), [], ctx);
    expect(out).toBe(join(root, 'out', 'nested', COMPACT_DUMP_FILE));
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('AUDIT SERVER COMPACT DUMP (2026-11-29 12:00:00)');
    const projects = [...text.matchAll(/^Project: (.*)$/gm)].map((m) => m[1]);
    expect(projects).toEqual(['Beta', 'Alpha']);
    const types = [...text.matchAll(/^event_type: (.*)$/gm)].map((m) => m[1]);
    expect(types).toEqual(['boot', 'first', 'second']);
    expect(text).toContain(`${'='.repeat(40)}\nProject: Alpha\n${'-'.repeat(40)}\n\nevent_type: first\n`);
    expect(text).toContain('\nproject_market: FX\n');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, 'out', 'nested'))).toEqual([COMPACT_DUMP_FILE]);
  });

  it('only the projects asked for; none known gives the header alone', async () => {
    const only = readFileSync(await writeCompactDump(dataDir, join(root, 'only'), ['Alpha'], ctx), 'utf8');
    expect([...only.matchAll(/^Project: (.*)$/gm)].map((m) => m[1])).toEqual(['Alpha']);
    const none = readFileSync(await writeCompactDump(dataDir, join(root, 'none'), ['Gamma'], ctx), 'utf8');
    expect(none).toBe('AUDIT SERVER COMPACT DUMP (2026-11-29 12:00:00)\n');
  });

  it('an empty data dir (no journal) still writes the header', async () => {
    const out = await writeCompactDump(join(root, 'empty'), join(root, 'empty-out'), [], ctx);
    expect(existsSync(out)).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('AUDIT SERVER COMPACT DUMP (2026-11-29 12:00:00)\n');
  });
});

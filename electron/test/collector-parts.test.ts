/**
 * The collector's small parts on their own: ack routing across reconnects, the live feed, and checkpoints that
 * never run two at once nor while the journal is busy.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AckRouter } from '../src/collector/ack-router.js';
import { Checkpointer, type Checkpoint } from '../src/collector/checkpoint.js';
import { LiveFeed } from '../src/read-model/live-feed.js';
import { SessionTable } from '../src/read-model/sessions.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('AckRouter', () => {
  it('acks only the current connection of a session, and records the acked seq', () => {
    const table = new SessionTable();
    const { state } = table.declare(
      'sess-0001',
      { project_name: 'P', project_market: '', project_description: '', project_privileges: [] },
      {
        source: 'ws',
        sdk: 't',
        host: 'h',
        pid: 1,
        dropped: 0,
      },
      1,
    );
    const router = new AckRouter();
    const old: number[] = [];
    const current: number[] = [];
    const oldSink = { ack: (s: number) => old.push(s) };
    router.attach('sess-0001', oldSink);
    router.attach('sess-0001', { ack: (s: number) => current.push(s) });
    expect(router.detach('sess-0001', oldSink)).toBe(false); // a newer connection owns the session
    router.send(new Map([['sess-0001', 7]]), table);
    router.reack('sess-0001', 7);
    expect(old).toEqual([]);
    expect(current).toEqual([7, 7]);
    expect(state.acked).toBe(7);
    router.send(new Map([['sess-0001', 5]]), table);
    expect(state.acked).toBe(7); // never goes back
  });
});

describe('LiveFeed', () => {
  it('hands records and sessions to listeners until they unsubscribe', () => {
    const feed = new LiveFeed();
    expect(feed.wantsRecords).toBe(false);
    const got: number[] = [];
    const off = feed.onRecords((rs) => got.push(rs.length));
    expect(feed.wantsRecords).toBe(true);
    feed.emitRecords([{} as never, {} as never]);
    off();
    feed.emitRecords([{} as never]);
    expect(got).toEqual([2]);
    expect(feed.wantsRecords).toBe(false);
  });
});

describe('Checkpointer', () => {
  const state = (id: number): Checkpoint => ({
    v: 1,
    segment: '2026-01-01.jsonl',
    offset: 10,
    last_id: id,
    last_hash: 'h',
    records: id,
    events: id,
    sessions: [],
    written_at: '',
  });
  it('writes when `every` records are committed and the journal is idle, not before, not while busy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-cp-'));
    dirs.push(dir);
    let id = 0;
    const cp = new Checkpointer(dir, 10, () => state(id));
    const read = (): number | null => {
      try {
        return (JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as Checkpoint).last_id;
      } catch {
        return null;
      }
    };
    id = 9;
    cp.committed(9, true);
    await cp.final(); // final always writes (when the state allows)
    expect(read()).toBe(9);
    // A periodic checkpoint in flight, then two final ones at once: each waits for the one before it instead of
    // racing it for checkpoint.json.tmp (a lost race fails the rename and prints "checkpoint not written").
    const complaints: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => (complaints.push(String(chunk)), true);
    try {
      id = 12;
      cp.committed(12, false); // due, but the journal is busy: nothing starts
      id = 13;
      cp.committed(1, true); // due and idle: starts
      id = 20;
      await Promise.all([cp.final(), cp.final()]);
    } finally {
      process.stderr.write = write;
    }
    expect(complaints).toEqual([]);
    expect(read()).toBe(20);
  });
  it('skips a checkpoint when the state says there is none (busy or faulty journal)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-cp-'));
    dirs.push(dir);
    const cp = new Checkpointer(dir, 1, () => null);
    cp.committed(5, true);
    await cp.final();
    expect(() => readFileSync(join(dir, 'checkpoint.json'))).toThrow();
  });
});

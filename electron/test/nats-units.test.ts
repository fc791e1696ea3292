// Pure parts of NATS mode (no server needed): subject encoding, message ids, batch messages, the publish log,
// settings, duplicate tracking, the session bucket's keys and values.
import { CollectorEvents, GENESIS_HASH, splitRecordLine, type JournalRecord } from '@ic-audit/shared';
import { headers } from 'nats';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../src/journal/hash.js';
import { resolveConfig } from '../src/settings/config.js';
import { plannedRanges } from '../src/nats/publish-log.js';
import { decodeSessionEntry, sessionKey } from '../src/nats/session-registry.js';
import {
  batchByteLimit,
  batchMessageId,
  chunkCommit,
  chunkRecords,
  COLLECTOR_HEADER,
  decodeMessage,
  encodeBatch,
  ID_SPAN,
  IDS_HEADER,
  legacyMessageId,
  recordLine,
} from '../src/nats/stream-message.js';
import { SEEN_ABOVE_MAX, SeenSet } from '../src/nats/seen-set.js';
import { batchPayload, COMPRESS_MIN_BYTES, BROTLI_SPLIT, ENCODING_HEADER } from '../src/nats/batch-encoding.js';
import { decodeSubjectToken, encodeSubjectToken, subjectFor } from '../src/nats/stream-settings.js';

const compressed = headers();
compressed.set(ENCODING_HEADER, BROTLI_SPLIT);

describe('NATS mode, pure parts', () => {
  it('encodes any project name as one safe, reversible subject token', () => {
    for (const name of ['MyTradingBot', 'Desk.1 €', 'a*b>c', 'x%y', '日本', 'under_score-dash']) {
      const token = encodeSubjectToken(name);
      expect(token).toMatch(/^[A-Za-z0-9_%-]+$/);
      expect(decodeSubjectToken(token)).toBe(name);
    }
    expect(subjectFor('Desk.1')).toBe('ic-audit.events.Desk%2E1');
    expect(subjectFor('Desk', 'R1')).toBe('ic-audit.R1.events.Desk');
  });

  it('message ids: <collector>:<first>-<last> per batch; the old format was <session>:<seq> or <collector>:<id>', () => {
    expect(batchMessageId('c-1', 101, 250)).toBe('c-1:101-250');
    const base = {
      id: 7,
      received_at: 1,
      session: 's1',
      seq: 3,
      source: 'ws',
      project_name: 'P',
      event_type: 't',
      event_description: '',
      timestamp: 1,
      fields: {},
      prev_hash: '',
      hash: '',
      fields_raw: '{}',
    } as const;
    expect(legacyMessageId({ ...base }, 'c-1')).toBe('s1:3');
    expect(legacyMessageId({ ...base, seq: 0 }, 'c-1')).toBe('c-1:7');
    expect(legacyMessageId({ ...base, source: 'http' }, 'c-1')).toBe('c-1:7');
  });

  it('config: NATS off by default; --console-only needs --nats; bad values are refused', () => {
    const local = resolveConfig({}, {});
    expect(local.nats).toBeNull();
    expect(local.consoleOnly).toBe(false);
    const n = resolveConfig({ nats: 'nats://127.0.0.1:4222, nats://127.0.0.1:4223' }, {});
    expect(n.nats).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'],
      creds: null,
      ca: null,
      stream: 'IC_AUDIT',
      replicas: 3,
      compress: 'on',
    });
    expect(resolveConfig({}, { IC_AUDIT_NATS: 'nats://h:1', IC_AUDIT_CONSOLE_ONLY: '1' }).consoleOnly).toBe(true);
    expect(() => resolveConfig({ consoleOnly: true }, {})).toThrow(/--nats/);
    expect(() => resolveConfig({ nats: 'nats://h:1', natsReplicas: '7' }, {})).toThrow(/replicas/);
    expect(() => resolveConfig({ nats: 'nats://h:1', natsStream: 'a.b' }, {})).toThrow(/stream/);
  });

  it('SeenSet drops repeats, in or out of order, with a compact low-water mark', () => {
    const s = new SeenSet(5);
    expect([5, 6, 8, 7, 6, 8, 9, 4].map((n) => s.add(n))).toEqual([true, true, true, true, false, false, true, false]);
  });

  it('SeenSet.firstHole: the first run not seen below the highest seen, null when none', () => {
    const s = new SeenSet(5);
    expect(s.firstHole()).toBe(null);
    for (const n of [5, 6, 9, 12, 13]) s.add(n);
    expect(s.firstHole()).toEqual({ from: 7, to: 8 });
    s.add(7);
    s.add(8);
    expect(s.firstHole()).toEqual({ from: 10, to: 11 });
    s.add(11);
    expect(s.firstHole()).toEqual({ from: 10, to: 10 });
    s.add(10);
    expect(s.firstHole()).toBe(null);
  });

  it('SeenSet.covers: a range is covered when every number in it was seen (below the first: assumed seen)', () => {
    const s = new SeenSet(10);
    for (const n of [10, 11, 12, 15, 16]) s.add(n);
    expect(s.covers(1, 12)).toBe(true);
    expect(s.covers(11, 13)).toBe(false);
    expect(s.covers(15, 16)).toBe(true);
    expect(s.covers(15, 17)).toBe(false);
    expect(s.covers(12, 1_000_000)).toBe(false);
  });

  it('SeenSet stays bounded behind a number that never comes; the runs it steps over stay unseen and can still come', () => {
    const s = new SeenSet(1);
    s.add(1);
    s.add(2);
    // 3 and 7 never come (a real gap, a deleted batch); every later number would otherwise be held.
    for (let n = 4; n <= 6; n++) s.add(n);
    let fresh = 0;
    for (let n = 8; n <= 300_000; n++) if (s.add(n)) fresh++;
    expect(fresh).toBe(300_000 - 7);
    expect(s.held).toBeLessThanOrEqual(SEEN_ABOVE_MAX);
    expect(s.firstHole()).toEqual({ from: 3, to: 3 });
    expect([s.covers(3, 3), s.covers(2, 4), s.covers(7, 7), s.covers(4, 6), s.covers(8, 300_000)]).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    // Repeats are still repeats, below the mark and above it.
    expect([s.add(5), s.add(100), s.add(299_999)]).toEqual([false, false, false]);
    // A late number of a skipped run is new once, then a repeat; the runs shrink.
    expect([s.add(3), s.add(3)]).toEqual([true, false]);
    expect(s.firstHole()).toEqual({ from: 7, to: 7 });
    expect(s.add(7)).toBe(true);
    expect(s.firstHole()).toBe(null);
    expect(s.covers(1, 300_000)).toBe(true);
    expect(s.add(300_001)).toBe(true);
  });

  it('chunks consecutive records per project, within the count and byte limits; deterministic', () => {
    const rs = chain([
      ['A', 3],
      ['B', 2],
      ['A', 5],
    ]);
    const chunks = chunkRecords(rs, { maxRecords: 4, maxBytes: 1 << 20 });
    expect(chunks.map((c) => [c.project, c.first, c.last])).toEqual([
      ['A', 1, 3],
      ['B', 4, 5],
      ['A', 6, 9],
      ['A', 10, 10],
    ]);
    expect(chunkRecords(rs, { maxRecords: 4, maxBytes: 1 << 20 })).toEqual(chunks);
    expect(chunks[0]!.payload.toString()).toBe(
      rs
        .slice(0, 3)
        .map((r) => recordLine(r))
        .join('\n'),
    );
    expect(chunks.map((c) => c.count)).toEqual([3, 2, 4, 1]);
    // Straight from a group commit's bytes: the same cuts, the same payloads.
    const lines = rs.map((r) => recordLine(r) + '\n');
    const bytes = Buffer.from(lines.join(''));
    const ends = new Uint32Array(lines.map((_, i) => Buffer.byteLength(lines.slice(0, i + 1).join('')) - 1));
    const entries = rs.map((r) => ({
      session: r.session,
      source: r.source,
      projectName: r.project_name,
      eventType: r.event_type,
      receivedAt: r.received_at,
    }));
    expect(chunkCommit({ firstId: 1, bytes, ends, entries }, { maxRecords: 4, maxBytes: 1 << 20 })).toEqual(chunks);
    // Compressed: the same cuts; chunks of 1 KiB and more compressed, the rest plain; each decompresses to the plain
    // payload, also after the journal reused its buffer (compressed, or copied, before chunkCommit returns).
    const packed = chunkCommit({ firstId: 1, bytes, ends, entries }, { maxRecords: 4, maxBytes: 1 << 20 }, true);
    bytes.fill(0x20);
    expect(packed.map((c) => [c.first, c.last, c.encoding])).toEqual(
      chunks.map((c) => [c.first, c.last, c.payload.length >= COMPRESS_MIN_BYTES ? BROTLI_SPLIT : null]),
    );
    expect(new Set(packed.map((c) => c.encoding))).toEqual(new Set([BROTLI_SPLIT, null]));
    expect(packed.map((c) => batchPayload(c.payload, c.encoding === null ? undefined : compressed).toString())).toEqual(
      chunks.map((c) => c.payload.toString()),
    );
    expect(chunkRecords(rs, { maxRecords: 4, maxBytes: 1 << 20 }, true)).toEqual(packed);
    const one = Buffer.byteLength(recordLine(rs[0]!));
    // Two lines and a newline fit, three do not; a line longer than the limit still goes (alone).
    const small = chunkRecords(rs.slice(0, 3), { maxRecords: 100, maxBytes: 2 * one + 1 });
    expect(small.map((c) => c.count)).toEqual([2, 1]);
    expect(chunkRecords(rs.slice(0, 2), { maxRecords: 100, maxBytes: 10 }).map((c) => c.count)).toEqual([1, 1]);
    expect(batchByteLimit(1 << 20)).toBeLessThan(1 << 20);
  });

  it('batch messages decode record by record (ids: stream seq x 10,000 + position); old single lines still read', () => {
    const rs = chain([['A', 3]]);
    const h = headers();
    h.set(COLLECTOR_HEADER, 'c-1');
    const batch = decodeMessage({ data: encodeBatch(rs.map((r) => recordLine(r))), headers: h, seq: 7 });
    expect(batch.map((m) => [m.id, m.streamSeq, m.collector, m.record.id, m.hashOk])).toEqual([
      [7 * ID_SPAN, 7, 'c-1', 1, true],
      [7 * ID_SPAN + 1, 7, 'c-1', 2, true],
      [7 * ID_SPAN + 2, 7, 'c-1', 3, true],
    ]);
    expect(batch[1]!.record.fields_raw).toBe(rs[1]!.fields_raw);
    // Batch or previous format, told by the `Ic-Audit-Ids` header (a writer's holes are checked only for batches).
    expect(batch.every((m) => !m.batched)).toBe(true);
    h.set(IDS_HEADER, '1-3');
    const batched = decodeMessage({ data: encodeBatch(rs.map((r) => recordLine(r))), headers: h, seq: 8 });
    expect(batched.map((m) => m.batched)).toEqual([true, true, true]);
    h.delete(IDS_HEADER);
    // A message of the previous format: one journal line, no batch header.
    const old = decodeMessage({ data: Buffer.from(recordLine(rs[0]!)), headers: h, seq: 3 });
    expect(old.map((m) => [m.id, m.record.id, m.hashOk])).toEqual([[3 * ID_SPAN, 1, true]]);
    // A tampered line fails its hash check; a foreign line is skipped.
    const bad = recordLine(rs[2]!).replace('"event 3"', '"event X"');
    const mixed = decodeMessage({ data: Buffer.from(`not json\n${bad}`), headers: undefined, seq: 9 });
    expect(mixed.map((m) => [m.id, m.collector, m.hashOk])).toEqual([[9 * ID_SPAN + 1, '', false]]);
  });

  it('publish log: the logged ranges that continue the cursor, in order, up to the first hole', () => {
    const log = '1 10\n11 20\n21 30\n11 20\n31 35\ngarbage\n40 50\n';
    expect(plannedRanges(log, 10)).toEqual([
      { first: 11, last: 20 },
      { first: 21, last: 30 },
      { first: 31, last: 35 },
    ]);
    expect(plannedRanges(log, 35)).toEqual([]);
    expect(plannedRanges(log, 0).map((r) => r.last)).toEqual([10, 20, 30, 35]);
    expect(plannedRanges('', 0)).toEqual([]);
  });

  it('session bucket: safe keys; a value is a session record whose hash matches its bytes', () => {
    expect(sessionKey('3f2a-uuid_x')).toBe('3f2a-uuid_x');
    expect(sessionKey('a.b')).toBe('x' + Buffer.from('a.b').toString('hex'));
    const [rec] = chain([['A', 1]], CollectorEvents.SESSION, 'collector');
    const line = recordLine(rec!);
    expect(decodeSessionEntry(Buffer.from(line))?.session).toBe(rec!.session);
    expect(decodeSessionEntry(Buffer.from(line.replace('"A"', '"B"')))).toBeNull();
    const [event] = chain([['A', 1]]);
    expect(decodeSessionEntry(Buffer.from(recordLine(event!)))).toBeNull();
  });
});

/** A hash-chained run of records: `[project, count]` runs, ids from 1. */
function chain(
  runs: Array<[string, number]>,
  eventType = 'trade',
  source: JournalRecord['source'] = 'ws',
): JournalRecord[] {
  const out: JournalRecord[] = [];
  let prev = GENESIS_HASH;
  for (const [project, n] of runs) {
    for (let i = 0; i < n; i++) {
      const id = out.length + 1;
      const r: JournalRecord = {
        id,
        received_at: 1_700_000_000 + id / 1000,
        session: `s-${project}`,
        seq: source === 'ws' ? id : 0,
        source,
        project_name: project,
        event_type: eventType,
        event_description: `event ${id}`,
        timestamp: 1_700_000_000,
        fields: { price: 250 },
        fields_raw: '{"price":250.0}',
        prev_hash: prev,
        hash: '',
      };
      r.hash = sha256(splitRecordLine(recordLine({ ...r, hash: '0'.repeat(64) }))!.body);
      prev = r.hash;
      out.push(r);
    }
  }
  return out;
}

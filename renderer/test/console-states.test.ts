import { EMPTY_FILTER, type SessionInfo, type WireRow } from '@ic-audit/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardLines } from '../src/lib/card-lines.js';
import {
  describeFilter,
  filterActive,
  ingestUrls,
  noMatchMessage,
  sdkSnippet,
  widerRange,
} from '../src/lib/empty-state.js';
import { EventTally } from '../src/lib/event-tally.js';
import { fromWire } from '../src/lib/row.js';
import { ConsoleClient } from '../src/net/console-client.js';
import { createAppStore } from '../src/store/store.js';

const wire = (id: number, session = 's', seq = id, type = 'tick', source: 'ws' | 'collector' = 'ws'): WireRow => [
  id,
  1000 + id,
  1000 + id,
  session,
  source === 'collector' ? 0 : seq,
  'p',
  type,
  `d${id}`,
  '{}',
  source,
];

const session = (id: string, events: number, errors: number, lastSeq: number): SessionInfo => ({
  session: id,
  project: { project_name: 'p', project_market: '', project_description: '', project_privileges: [] },
  source: 'ws',
  sdk: '',
  host: '',
  pid: 0,
  connected: true,
  last_seen: 0,
  started_at: 0,
  events,
  errors,
  last_seq: lastSeq,
  acked: lastSeq,
  gaps: 0,
  missing: 0,
  dropped: 0,
  refused: 0,
  clock_offset: 0,
});

describe('event tally (counts driven by rows)', () => {
  it('counts rows past the snapshot once, skips covered seqs and system rows, adopts when caught up', () => {
    const t = new EventTally();
    // The collector had accepted seq 1..5 (one error) when the snapshot was taken; seq 5 was not durable yet.
    t.rebase([session('s', 5, 1, 5)], 5);
    t.count(fromWire(wire(5, 's', 5)));
    expect(t.total).toBe(5);
    t.count(fromWire(wire(6, 's', 6, 'error')));
    t.count(fromWire(wire(7, 's', 0, 'ic-audit.gap', 'collector')));
    t.count(fromWire(wire(8, 'new', 1)));
    expect(t.total).toBe(7);
    expect(t.apply(session('s', 9, 3, 9))).toMatchObject({ events: 6, errors: 2 });
    expect(t.apply(session('new', 4, 0, 4))).toMatchObject({ events: 1, errors: 0 });
    expect(t.apply(session('unseen', 3, 0, 3))).toMatchObject({ events: 0 });
    // A push while rows lag is not taken; one that stands where the rows stand is.
    t.adopt([session('s', 9, 3, 9)]);
    expect(t.total).toBe(7);
    t.adopt([session('s', 6, 2, 6), session('new', 1, 0, 1)]);
    expect(t.total).toBe(7);
    expect(t.apply(session('s', 6, 2, 6)).events).toBe(6);
  });

  it('store: header total and rows move in the same update', () => {
    const store = createAppStore(1000);
    store.getState().rebaseCounts([], 0);
    const seen: Array<[number, number]> = [];
    store.subscribe((s) => seen.push([s.tally.total, s.view.length]));
    store.getState().appendRows(Array.from({ length: 50 }, (_, i) => fromWire(wire(i + 1))));
    expect(seen).toEqual([[50, 50]]);
  });
});

describe('overview card lines', () => {
  it('keeps the latest error pinned past 20 newer events and folds system records into one line', () => {
    const store = createAppStore(1000);
    store
      .getState()
      .appendRows([
        fromWire(wire(1, 's', 0, 'ic-audit.session', 'collector')),
        fromWire(wire(2, 's', 1, 'error')),
        ...Array.from({ length: 20 }, (_, i) => fromWire(wire(3 + i, 's', 2 + i))),
        fromWire(wire(23, 's', 0, 'ic-audit.gap', 'collector')),
      ]);
    const lines = cardLines(store.getState().live.get('p'), 8);
    expect(lines.pinned?.id).toBe(2);
    expect(lines.tail.map((r) => r.id)).toEqual([16, 17, 18, 19, 20, 21, 22]);
    expect(lines.system).toMatchObject({ count: 2, last: { id: 23 } });
    store.getState().appendRows([fromWire(wire(24, 's', 22, 'error'))]);
    const next = cardLines(store.getState().live.get('p'), 8);
    expect(next.pinned?.id).toBe(24);
    expect(next.tail.map((r) => r.id)).not.toContain(24);
    expect(cardLines(undefined, 8)).toEqual({ pinned: null, tail: [], system: null });
  });
});

describe('empty and no-match states', () => {
  it('names the ingest URL the page is served on, ws or wss', () => {
    expect(ingestUrls({ protocol: 'http:', host: '127.0.0.1:41234' })).toEqual({
      ws: 'ws://127.0.0.1:41234/ingest',
      http: 'http://127.0.0.1:41234/ingest',
    });
    expect(ingestUrls({ protocol: 'https:', host: 'audit.desk:9324' }).ws).toBe('wss://audit.desk:9324/ingest');
    expect(sdkSnippet('ws://h:1/ingest')).toContain("url: 'ws://h:1/ingest'");
  });

  it('says what the filter asked for and how to widen it', () => {
    const f = { ...EMPTY_FILTER, project: 'A', text: ' symbol=EURUSD ', range: '30h' as const };
    expect(describeFilter(f)).toBe('project=A symbol=EURUSD');
    expect(noMatchMessage(f)).toEqual({ conditions: 'project=A symbol=EURUSD', where: 'the last 30 h' });
    expect(filterActive(EMPTY_FILTER)).toBe(false);
    expect(filterActive({ ...EMPTY_FILTER, range: '15m' })).toBe(true);
    expect(['15m', '1h', '30h', 'custom', 'all'].map((r) => widerRange(r as '15m'))).toEqual([
      '1h',
      '30h',
      'all',
      'all',
      null,
    ]);
  });
});

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  close(): void {
    this.readyState = 3;
    this.onclose?.();
  }
}

const health = {
  status: 'ok',
  version: 't',
  events: 0,
  sessions: 0,
  connected: 0,
  integrity: { ok: true, records: 0, first_bad_id: null, message: 'chain intact', checked_at: 0 },
  journal: { writable: true, error: null, pending: 0, torn_files: [] },
  uptime_s: 0,
};
const snapshot = (rows: WireRow[]) => ({
  type: 'snapshot',
  v: 1,
  now: 0,
  sessions: [],
  rows,
  health,
  silent_after: 60,
  version: 't',
});
const flushNow = (run: () => void): void => run();
const ids = (store: ReturnType<typeof createAppStore>): number[] => {
  const out: number[] = [];
  for (let i = 0; i < store.getState().view.length; i++) out.push(store.getState().view.at(i)!.id);
  return out;
};

describe('console client across a lost connection', () => {
  const realWs = (globalThis as { WebSocket?: unknown }).WebSocket;
  beforeEach(() => {
    (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
  });
  afterEach(() => {
    (globalThis as { WebSocket?: unknown }).WebSocket = realWs;
  });

  it('shows the lost state, retries on demand, and back-fills the missed range exactly once', async () => {
    const store = createAppStore(1000);
    const client = new ConsoleClient(store, 'ws://x/console', flushNow);
    client.connect();
    let ws = FakeSocket.last!;
    ws.open();
    ws.receive(snapshot([wire(1), wire(2), wire(3)]));
    expect(store.getState().link).toBe('live');
    ws.close();
    const s = store.getState();
    expect(s.link).toBe('reconnecting');
    expect(s.lostAt).not.toBeNull();
    expect(s.retryAt).toBeGreaterThan(Date.now() - 1);
    client.retryNow();
    ws = FakeSocket.last!;
    expect(store.getState().retryAt).toBeNull();
    ws.open();
    // Ids 4..9 were journaled while away; the snapshot only reaches back to 7.
    ws.receive(snapshot([wire(7), wire(8), wire(9)]));
    ws.receive({ type: 'records', rows: [wire(10)] });
    expect(ids(store)).toEqual([1, 2, 3]);
    const q = ws.sent.find((f) => f['type'] === 'query')!;
    expect(q['before']).toBe(7);
    ws.receive({ type: 'result', id: q['id'], rows: [wire(6), wire(5), wire(4), wire(3), wire(2)], more: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(ids(store)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(store.getState().lostAt).toBeNull();
    ws.receive({ type: 'records', rows: [wire(10), wire(11)] });
    expect(ids(store)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    client.close();
  });

  it('pages back until it reaches the last id held', async () => {
    const store = createAppStore(1000);
    const client = new ConsoleClient(store, 'ws://x/console', flushNow);
    client.connect();
    let ws = FakeSocket.last!;
    ws.open();
    ws.receive(snapshot([wire(1)]));
    ws.close();
    client.retryNow();
    ws = FakeSocket.last!;
    ws.open();
    ws.receive(snapshot([wire(6)]));
    const first = ws.sent.find((f) => f['type'] === 'query')!;
    ws.receive({ type: 'result', id: first['id'], rows: [wire(5), wire(4)], more: true });
    await new Promise((r) => setTimeout(r, 0));
    const second = ws.sent.filter((f) => f['type'] === 'query')[1]!;
    expect(second['before']).toBe(4);
    ws.receive({ type: 'result', id: second['id'], rows: [wire(3), wire(2)], more: false });
    await new Promise((r) => setTimeout(r, 0));
    expect(ids(store)).toEqual([1, 2, 3, 4, 5, 6]);
    client.close();
  });
});

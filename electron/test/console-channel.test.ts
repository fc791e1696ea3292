/**
 * The /console channel and /api routes against the real collector (built CLI on port 0), with raw WebSockets:
 * snapshot, coalesced live batches, queries reaching the journal, dumps and their download, and the resync path
 * that keeps a stalled console from growing the collector's memory.
 */
import type { ConsoleServerFrame } from '@ic-audit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { startCollector, type CollectorHandle } from '../../test/helpers/collector.js';
import { connectBot, type TestBot } from './console-bot.js';

/** A console client that records every frame and can await one matching a predicate. */
function openConsole(c: CollectorHandle, token = c.consoleToken) {
  const ws = new WebSocket(`ws://127.0.0.1:${c.port}/console`, { headers: { authorization: `Bearer ${token}` } });
  const frames: ConsoleServerFrame[] = [];
  const waiters: Array<{ test: (f: ConsoleServerFrame) => boolean; resolve: (f: ConsoleServerFrame) => void }> = [];
  ws.on('message', (data) => {
    const f = JSON.parse(String(data)) as ConsoleServerFrame;
    frames.push(f);
    for (const w of [...waiters])
      if (w.test(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
  });
  const next = <T extends ConsoleServerFrame['type']>(
    type: T,
    test: (f: Extract<ConsoleServerFrame, { type: T }>) => boolean = () => true,
  ) => {
    const seen = frames.find((f) => f.type === type && test(f as never));
    if (seen) return Promise.resolve(seen as Extract<ConsoleServerFrame, { type: T }>);
    return new Promise<Extract<ConsoleServerFrame, { type: T }>>((resolve) =>
      waiters.push({ test: (f) => f.type === type && test(f as never), resolve: resolve as never }),
    );
  };
  return { ws, frames, next, send: (v: unknown) => ws.send(JSON.stringify(v)) };
}

describe('console channel', () => {
  let collector: CollectorHandle;
  let bot: TestBot;

  beforeAll(async () => {
    collector = await startCollector();
    bot = await connectBot(collector.ingestUrl, { name: 'alpha' });
    await bot.send(
      Array.from({ length: 50 }, (_, i) => ({
        event_type: i % 10 === 9 ? 'error' : 'trade_opened',
        event_description: `event ${i}`,
        fields: { symbol: i % 2 ? 'EURUSD' : 'USDJPY', i },
      })),
    );
  });

  afterAll(async () => {
    await bot?.close();
    await collector?.close();
  });

  it('sends a snapshot, then live records in coalesced batches', async () => {
    const c = openConsole(collector);
    const snap = await c.next('snapshot');
    expect(snap.rows.filter((r) => r[5] === 'alpha' && r[9] !== 'collector').length).toBe(50);
    expect(snap.sessions.map((s) => s.project.project_name)).toContain('alpha');
    const pushed = new Set<number>();
    const done = new Promise<void>((resolve) =>
      c.ws.on('message', () => {
        for (const f of c.frames) if (f.type === 'records') for (const r of f.rows) pushed.add(r[0]);
        if (pushed.size >= 2000) resolve();
      }),
    );
    for (let i = 0; i < 20; i++)
      await bot.send(Array.from({ length: 100 }, (_, j) => ({ event_type: 'tick', event_description: `t${i}.${j}` })));
    await done;
    const batches = c.frames.filter((f) => f.type === 'records').length;
    // 20 acked sends of 100 must not become 2000 frames: pushes are coalesced per batch window.
    expect(batches).toBeLessThanOrEqual(20);
    c.ws.close();
  });

  it('answers queries with the shared filter grammar, pages with before, and returns full records', async () => {
    const c = openConsole(collector);
    await c.next('snapshot');
    c.send({ type: 'query', id: 'q1', filter: { text: 'symbol=EURUSD', project: 'alpha' }, before: null, limit: 10 });
    const page1 = await c.next('result', (f) => f.id === 'q1');
    expect(page1.rows.length).toBe(10);
    expect(page1.more).toBe(true);
    c.send({ type: 'query', id: 'q2', filter: { text: 'symbol=EURUSD' }, before: page1.rows.at(-1)![0], limit: 100 });
    const page2 = await c.next('result', (f) => f.id === 'q2');
    expect(page1.rows.length + page2.rows.length).toBe(25);
    expect(page2.more).toBe(false);
    c.send({ type: 'get', id: 'g', record: page1.rows[0]![0] });
    const rec = await c.next('record', (f) => f.id === 'g');
    expect(rec.record?.hash).toMatch(/^[0-9a-f]{64}$/);
    c.send({ type: 'query', id: 'bad', filter: { range: 'week' }, limit: 5 });
    expect((await c.next('error')).code).toBe('E_BAD_FRAME');
    c.ws.close();
  });

  it('writes dumps in every format and streams them over /api/dumps', async () => {
    const c = openConsole(collector);
    await c.next('snapshot');
    for (const [scope, format] of [
      ['30h', 'json'],
      ['all', 'ndjson'],
      ['filter', 'csv'],
    ] as const) {
      const id = `d-${format}`;
      c.send({ type: 'dump', id, scope, format, filter: scope === 'filter' ? { type: 'error' } : null });
      const d = await c.next('dumped', (f) => f.id === id);
      expect(d.file_name).toBe(`dumped_audit_trails.${format}`);
      const res = await fetch(collector.httpUrl + d.download, {
        headers: { authorization: `Bearer ${collector.consoleToken}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain(`dumped_audit_trails.${format}`);
      const text = await res.text();
      if (format === 'json')
        expect((JSON.parse(text) as Record<string, unknown[]>)['alpha']!.length).toBeGreaterThanOrEqual(50);
      if (format === 'csv') expect(text.trim().split('\n').length).toBe(1 + 5);
    }
    const traversal = await fetch(`${collector.httpUrl}/api/dumps/..%2F..%2Fconsole.token`, {
      headers: { authorization: `Bearer ${collector.consoleToken}` },
    });
    expect(traversal.status).toBe(404);
    c.ws.close();
  });

  it('tells every console where a dump went, whoever asked for it (here a Python client)', async () => {
    const c = openConsole(collector);
    await c.next('snapshot');
    const legacy = connect(collector.port, '127.0.0.1');
    legacy.write('dump_audit_trails');
    const written = await c.next('dump_written');
    expect(written.result.path).toMatch(/dumped_audit_trails\.json$/);
    legacy.destroy();
    c.ws.close();
  });

  it('tells a stalled console to resync instead of queueing for it without bound', async () => {
    const c = openConsole(collector);
    await c.next('snapshot');
    // Stop reading: the collector's send buffer for this console fills up.
    (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const big = 'x'.repeat(2000);
    const bulk = await connectBot(collector.ingestUrl, { name: 'bulk' });
    // 300 events of 2 KB per frame stays under the 1 MB frame limit; 30 frames outgrow every socket buffer.
    for (let i = 0; i < 30; i++) {
      await bulk.send(
        Array.from({ length: 300 }, (_, j) => ({ event_type: 'bulk', event_description: `${i}.${j} ${big}` })),
      );
    }
    await bulk.close();
    (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await c.next('resync');
    const fresh = await c.next('snapshot', (f) => c.frames.indexOf(f) > c.frames.findIndex((x) => x.type === 'resync'));
    expect(fresh.rows.some((r) => (r[7] ?? '').startsWith('29.299 '))).toBe(true);
    c.ws.close();
  });

  it('refuses the channel without the console token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${collector.port}/console`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });
});

/**
 * Wire behaviour of AuditNotifier against a minimal in-test server that speaks protocol v1 and validates every
 * client frame with the collector's own parser (shared parseClientFrame). The real collector is exercised in
 * delivery.test.ts; this file pins the exact frames.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  BOOT_DESCRIPTION,
  MAX_EVENTS_PER_FRAME,
  MAX_FRAME_BYTES,
  parseClientFrame,
  type HelloFrame,
  type ReceivedEvent,
} from '@ic-audit/shared';
import { AuditNotifier } from '../src/notifier.js';
import { freePort, waitFor } from './support.js';

/** An event as the collector reads it, plus its fields parsed (the collector keeps only their text). */
type WireEvent = ReceivedEvent & { fields: unknown };

interface Conn {
  ws: WebSocket;
  hello: HelloFrame | null;
  events: WireEvent[];
  frames: number;
}

/** Protocol-v1 test server: welcome with `acked`, ack each frame unless `autoAck` is off. */
class TestServer {
  readonly conns: Conn[] = [];
  acked = 0;
  autoAck = true;
  bad: string[] = [];
  private constructor(
    readonly wss: WebSocketServer,
    readonly port: number,
  ) {
    wss.on('connection', (ws) => {
      const c: Conn = { ws, hello: null, events: [], frames: 0 };
      this.conns.push(c);
      ws.on('message', (data) => {
        const text = String(data);
        if (Buffer.byteLength(text) > MAX_FRAME_BYTES) this.bad.push('frame too large');
        const f = parseClientFrame(text);
        if (!f.ok) return void this.bad.push(`${f.code}: ${f.message}`);
        if (f.value.type === 'hello') {
          c.hello = f.value;
          ws.send(JSON.stringify({ type: 'welcome', v: 1, session: f.value.session, acked: this.acked }));
        } else if (f.value.type === 'events') {
          c.frames++;
          if (f.value.events.length > MAX_EVENTS_PER_FRAME) this.bad.push('too many events');
          c.events.push(...f.value.events.map((e) => ({ ...e, fields: JSON.parse(e.fields_json) as unknown })));
          const last = f.value.events[f.value.events.length - 1]!.seq;
          if (this.autoAck && last > this.acked) {
            this.acked = last;
            ws.send(JSON.stringify({ type: 'ack', seq: last }));
          }
        }
      });
    });
  }

  static async start(port = 0): Promise<TestServer> {
    const wss = new WebSocketServer({ port, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    const addr = wss.address();
    return new TestServer(wss, typeof addr === 'object' && addr !== null ? addr.port : port);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ingest`;
  }

  allEvents(): WireEvent[] {
    return this.conns.flatMap((c) => c.events);
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.ws.terminate();
    await new Promise((r) => this.wss.close(r));
  }
}

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

function notifier(url: string, extra: Record<string, unknown> = {}): AuditNotifier {
  const n = new AuditNotifier({
    projectName: 'WireBot',
    projectMarket: 'FOREX',
    url,
    backoffBaseMs: 10,
    backoffCapMs: 50,
    ...extra,
  });
  open.push({ close: () => n.close(0) });
  return n;
}

describe('AuditNotifier on the wire', () => {
  it('says hello once, sends boot as seq 1, then every event in order, in valid batches', async () => {
    const srv = await TestServer.start();
    open.push(srv);
    const n = notifier(srv.url, { projectDescription: 'desc', projectPrivileges: ['execute_trade', 'utilities'] });
    for (let i = 0; i < 2500; i++) n.send('tick', `t${i}`, { i });
    expect(await n.flush(10_000)).toBe(true);
    expect(srv.bad).toEqual([]);
    expect(srv.conns).toHaveLength(1);
    const c = srv.conns[0]!;
    expect(c.hello).toMatchObject({
      session: n.session,
      project: {
        project_name: 'WireBot',
        project_market: 'FOREX',
        project_description: 'desc',
        project_privileges: ['execute_trade', 'utilities'],
      },
      sdk: '@ic-audit/client@0.1.0',
      pid: process.pid,
      dropped: 0,
    });
    expect(n.session).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.events[0]).toMatchObject({
      seq: 1,
      event_type: 'boot',
      event_description: BOOT_DESCRIPTION,
      fields: {
        project_market: 'FOREX',
        project_description: 'desc',
        project_privileges: ['execute_trade', 'utilities'],
      },
    });
    expect(c.events.map((e) => e.seq)).toEqual(Array.from({ length: 2501 }, (_, i) => i + 1));
    expect(c.frames).toBeGreaterThanOrEqual(3);
    expect(n.stats()).toEqual({
      queued: 0,
      sent: 2501,
      acked: 2501,
      dropped: 0,
      reconnects: 0,
      connectFailures: 0,
      lastError: null,
      connected: true,
    });
    const t = c.events[1]!.timestamp;
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(60);
    expect(t % 1).not.toBe(0);
    // Microseconds: at most six decimals on the wire.
    for (const e of c.events) expect(String(e.timestamp)).toMatch(/^\d+(\.\d{1,6})?$/);
  });

  it('after a reconnect resends only what welcome.acked says is missing', async () => {
    const srv = await TestServer.start();
    open.push(srv);
    const n = notifier(srv.url);
    for (let i = 0; i < 99; i++) n.send('e', 'd');
    expect(await n.flush(5000)).toBe(true);
    srv.autoAck = false;
    for (let i = 0; i < 50; i++) n.send('e', 'd');
    expect(await waitFor(() => srv.allEvents().length === 150, 5000)).toBe(true);
    // The server durably holds 120 of them, acks nothing, and drops the connection.
    srv.acked = 120;
    srv.autoAck = true;
    srv.conns[0]!.ws.terminate();
    expect(await n.flush(5000)).toBe(true);
    const second = srv.conns[1]!;
    expect(second.hello!.session).toBe(n.session);
    expect(second.events.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 121 + i));
    expect(n.stats()).toMatchObject({ queued: 0, acked: 150, dropped: 0, reconnects: 1 });
  });

  it('when the buffer is full drops the oldest, counts them and reports them in the next hello', async () => {
    const port = await freePort();
    const n = notifier(`ws://127.0.0.1:${port}/ingest`, { bufferMaxEvents: 10 });
    for (let i = 0; i < 25; i++) n.send('e', `d${i}`);
    // 26 events (boot + 25) into a buffer of 10: the 16 oldest are dropped.
    expect(n.stats()).toMatchObject({ queued: 10, dropped: 16, acked: 0, connected: false });
    const srv = await TestServer.start(port);
    open.push(srv);
    expect(await n.flush(5000)).toBe(false); // something was dropped: not everything got through
    expect(srv.conns[0]!.hello!.dropped).toBe(16);
    expect(srv.allEvents().map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 17 + i));
    expect(srv.allEvents()[0]!.event_description).toBe('d15');
    expect(n.stats()).toMatchObject({ queued: 0, acked: 10, dropped: 16 });
  });

  it('honours the byte bound as well as the count bound', async () => {
    const port = await freePort();
    const n = notifier(`ws://127.0.0.1:${port}/ingest`, { bufferMaxBytes: 64 * 1024 });
    for (let i = 0; i < 100; i++) n.send('e', 'x'.repeat(4000));
    await n.flush(50); // runs the batch step; nobody is listening
    const s = n.stats();
    expect(s.queued).toBeLessThanOrEqual(16);
    expect(s.queued + s.dropped).toBe(101);
  });

  it('an error frame makes it reconnect and resend from welcome.acked', async () => {
    const srv = await TestServer.start();
    open.push(srv);
    srv.autoAck = false;
    const n = notifier(srv.url);
    n.send('e', 'd');
    expect(await waitFor(() => srv.allEvents().length === 2, 5000)).toBe(true);
    srv.autoAck = true;
    srv.conns[0]!.ws.send(JSON.stringify({ type: 'error', code: 'E_STORAGE', message: 'disk full; resend later' }));
    expect(await n.flush(5000)).toBe(true);
    expect(srv.conns.length).toBe(2);
    expect(srv.conns[1]!.events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('never throws whatever send() is given, and ignores sends after close()', async () => {
    const port = await freePort();
    const n = notifier(`ws://127.0.0.1:${port}/ingest`);
    const send = n.send.bind(n) as (...a: unknown[]) => void;
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const hostile: unknown[] = [
      undefined,
      null,
      1n,
      Symbol('s'),
      () => 1,
      revoked.proxy,
      new Proxy(
        {},
        {
          getPrototypeOf() {
            throw new Error('x');
          },
        },
      ),
    ];
    for (const a of hostile)
      for (const b of hostile) for (const c of hostile) expect(() => send(a, b, c)).not.toThrow();
    expect(() => send()).not.toThrow();
    const before = n.stats();
    expect(before.queued + before.dropped).toBe(1 + hostile.length ** 3 + 1);
    expect(await n.close(10)).toBe(false);
    n.send('late', 'ignored');
    expect(n.stats().queued).toBe(before.queued);
    expect(await n.close(10)).toBe(false);
  });

  it('garbage constructor options fall back to defaults without throwing', async () => {
    const make = (o: unknown): AuditNotifier => {
      const n = new AuditNotifier(o as never);
      open.push({ close: () => n.close(0) });
      return n;
    };
    expect(() => make(undefined)).not.toThrow();
    const n = make({
      projectName: 42,
      projectMarket: null,
      url: 'not a url',
      bufferMaxEvents: -1,
      flushIntervalMs: NaN,
    });
    expect(n.project.project_name).toBe('42');
    n.send('e', 'd');
    expect(await n.flush(20)).toBe(false);
  });

  it('send() snapshots the top level of fields: reassigning after send() does not change what is stored', async () => {
    const srv = await TestServer.start();
    open.push(srv);
    const n = notifier(srv.url);
    const reused: Record<string, unknown> = { price: 1 };
    n.send('quote', 'q1', reused);
    reused['price'] = 2;
    n.send('quote', 'q2', reused);
    reused['price'] = 3;
    expect(await n.flush(5000)).toBe(true);
    expect(
      srv
        .allEvents()
        .slice(1)
        .map((e) => e.fields),
    ).toEqual([{ price: 1 }, { price: 2 }]);
  });

  it('debug prints at most one line per condition; silent without debug', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const port = await freePort();
      const quiet = notifier(`ws://127.0.0.1:${port}/ingest`, { bufferMaxEvents: 5 });
      const loud = notifier(`ws://127.0.0.1:${port}/ingest`, { bufferMaxEvents: 5, debug: true });
      for (let i = 0; i < 50; i++) {
        quiet.send('e', 'd');
        loud.send('e', 'd');
      }
      // Several failed connection attempts (backoff 10-50 ms) within this window.
      await Promise.all([quiet.flush(300), loud.flush(300)]);
      const lines = spy.mock.calls.map((c) => String(c[0]));
      const codes = lines.map((l) => /^\[ic-audit\] (E_[A-Z_]+):/.exec(l)?.[1]);
      expect(codes).toContain('E_CONNECT');
      expect(codes).toContain('E_DROPPED');
      expect(new Set(codes).size).toBe(codes.length);
    } finally {
      spy.mockRestore();
    }
  });
});

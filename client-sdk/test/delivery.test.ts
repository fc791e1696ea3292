/**
 * Delivery guarantees of the BUILT package against the REAL collector (child process, test/helpers/collector.ts):
 * crashes and restarts, late start, overflow with a recorded gap, hostile values, dumps.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  AuditNotifier,
  ProjectEvents,
  ProjectPrivileges,
  triggerAuditDumping,
  type WebSocketConstructor,
} from '@ic-audit/client';
import { MAX_EVENT_TYPE_LENGTH, MAX_FIELD_DEPTH, MAX_FIELDS_PER_EVENT, type JournalRecord } from '@ic-audit/shared';
import { startCollector } from '../../test/helpers/collector.js';
import { botRecords, closedAfterEach, freePort, readJournal, waitFor } from './support.js';

const FAST = { backoffBaseMs: 20, backoffCapMs: 250 };
const { track, own } = closedAfterEach();

function expectExactlyOnceInOrder(records: JournalRecord[], total: number): void {
  expect(records.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
}

describe('delivery through the real collector', () => {
  it('3 bots x 20,000 events, collector killed -9 and restarted twice: every event exactly once, in order', async () => {
    const ref = own(await startCollector({ keepDataDir: false }));
    const dataDir = ref.current.dataDir;
    const bots = [0, 1, 2].map((b) =>
      track(new AuditNotifier({ projectName: `Bot${b}`, projectMarket: 'FOREX', url: ref.current.ingestUrl, ...FAST })),
    );
    const PER_BOT = 20_000;
    const killAt = new Set([6_000, 13_000]);
    for (let i = 0; i < PER_BOT; i += 500) {
      if (killAt.has(i)) {
        // Kill while every bot is connected and streaming, so unacked events are in flight.
        expect(await waitFor(() => bots.every((b) => b.stats().connected), 10_000)).toBe(true);
        await ref.current.kill('SIGKILL');
        ref.current = await ref.current.restart();
      }
      for (const bot of bots)
        for (let j = i; j < i + 500; j++) bot.send(ProjectEvents.TRADE_OPENED, `trade ${j}`, { j });
      await tick();
    }
    const flushed = await Promise.all(bots.map((b) => b.flush(30_000)));
    expect(flushed).toEqual([true, true, true]);
    const journal = readJournal(dataDir);
    for (const bot of bots) {
      const recs = botRecords(journal, bot.session);
      expectExactlyOnceInOrder(recs, PER_BOT + 1);
      expect(recs[1]!.event_description).toBe('trade 0');
      expect(recs[PER_BOT]!.fields).toEqual({ j: PER_BOT - 1 });
      expect(journal.filter((r) => r.session === bot.session && r.event_type === 'ic-audit.gap')).toEqual([]);
      expect(bot.stats()).toMatchObject({ queued: 0, acked: PER_BOT + 1, dropped: 0 });
      expect(bot.stats().reconnects).toBeGreaterThanOrEqual(2);
    }
  });

  it('collector not running at first: 1,000 events, collector starts 5 s later, all 1,001 arrive', async () => {
    const port = await freePort();
    const bot = track(
      new AuditNotifier({ projectName: 'EarlyBird', projectMarket: 'Crypto', url: `ws://127.0.0.1:${port}/ingest` }),
    );
    for (let i = 0; i < 1000; i++) bot.send('tick', `t${i}`, { i });
    expect(bot.stats()).toMatchObject({ queued: 1001, connected: false });
    await new Promise((r) => setTimeout(r, 5000)); // the scenario itself: the collector is late
    const ref = own(await startCollector({ port }));
    expect(await bot.flush(15_000)).toBe(true);
    expectExactlyOnceInOrder(botRecords(readJournal(ref.current.dataDir), bot.session), 1001);
  });

  it('buffer of 1,000, collector down, 5,000 sent: 4,001 dropped and counted, the gap is recorded', async () => {
    const port = await freePort();
    const bot = track(
      new AuditNotifier({
        projectName: 'Overflow',
        projectMarket: 'FOREX',
        url: `ws://127.0.0.1:${port}/ingest`,
        bufferMaxEvents: 1000,
        ...FAST,
      }),
    );
    for (let i = 0; i < 5000; i++) bot.send('tick', `t${i}`, { i });
    // Documented: boot + 5,000 = 5,001 events into 1,000 slots; the 4,001 oldest are dropped.
    expect(bot.stats()).toMatchObject({ queued: 1000, dropped: 4001 });
    const ref = own(await startCollector({ port }));
    expect(await bot.flush(15_000)).toBe(false); // not everything got through, by design
    expect(bot.stats()).toMatchObject({ queued: 0, acked: 1000, dropped: 4001 });
    const journal = readJournal(ref.current.dataDir);
    const recs = botRecords(journal, bot.session);
    expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => 4002 + i));
    expect(recs[0]!.event_description).toBe('t4000');
    const gaps = journal.filter((r) => r.session === bot.session && r.event_type === 'ic-audit.gap');
    expect(gaps.map((g) => g.fields)).toEqual([{ from_seq: 1, to_seq: 4001, missing: 4001 }]);
    const hello = journal.find((r) => r.session === bot.session && r.event_type === 'ic-audit.session');
    expect(hello?.fields['dropped']).toBe(4001);
  });

  it('hostile values: accepted by the collector and stored as documented', async () => {
    const ref = own(await startCollector());
    const bot = track(
      new AuditNotifier({ projectName: 'Hostile', projectMarket: 'FOREX', url: ref.current.ingestUrl }),
    );
    const circular: Record<string, unknown> = { x: 1 };
    circular['self'] = circular;
    let deep: unknown = 'bottom';
    for (let i = 0; i < MAX_FIELD_DEPTH + 5; i++) deep = { d: deep };
    const many: Record<string, number> = {};
    for (let i = 0; i < MAX_FIELDS_PER_EVENT + 36; i++) many[`k${i}`] = i;
    const err = Object.assign(new TypeError('bad input'), { code: 'E_INPUT' });
    const cases: Array<[string, unknown, (f: Record<string, unknown>) => void]> = [
      ['circular', { circular }, (f) => expect(f).toEqual({ circular: { x: 1, self: '[Circular]' } })],
      ['bigint', { n: 2n ** 70n }, (f) => expect(f).toEqual({ n: '1180591620717411303424' })],
      ['function', { fn: function handler() {} }, (f) => expect(f).toEqual({ fn: '[Function: handler]' })],
      ['symbol', { s: Symbol('sym') }, (f) => expect(f).toEqual({ s: '[Symbol: sym]' })],
      ['date', { d: new Date(Date.UTC(2024, 0, 2)) }, (f) => expect(f).toEqual({ d: '2024-01-02T00:00:00.000Z' })],
      [
        'error',
        { err },
        (f) => expect(f['err']).toMatchObject({ name: 'TypeError', message: 'bad input', code: 'E_INPUT' }),
      ],
      [
        'numbers',
        { a: NaN, b: Infinity, c: -Infinity },
        (f) => expect(f).toEqual({ a: 'NaN', b: 'Infinity', c: '-Infinity' }),
      ],
      ['deep', { deep }, (f) => expect(JSON.stringify(f)).toContain('"[Truncated: too deep]"')],
      ['huge', { s: 'x'.repeat(50_000) }, (f) => expect(String(f['s'])).toMatch(/^x{8000,}…\[\+\d+ chars\]$/)],
      ['many', many, (f) => expect(f['__truncated__']).toBe('[Truncated: 37 more keys]')],
      ['proto', JSON.parse('{"__proto__": 1}'), (f) => expect(f).toEqual({ '[__proto__]': 1 })],
    ];
    for (const [name, fields] of cases) bot.send(name, `hostile ${name}`, fields as object);
    (bot.send as (...a: unknown[]) => void)({ not: 'a string' }, 12345, 'plain');
    bot.send('ic-audit.gap', 'spoofed collector record', {});
    bot.send('t'.repeat(MAX_EVENT_TYPE_LENGTH + 100), 'd'.repeat(10_000), {});
    expect(await bot.flush(10_000)).toBe(true);
    const recs = botRecords(readJournal(ref.current.dataDir), bot.session);
    expect(recs).toHaveLength(1 + cases.length + 3);
    cases.forEach(([name, , check], i) => {
      expect(recs[i + 1]!.event_type).toBe(name);
      check(recs[i + 1]!.fields);
    });
    const [coerced, spoofed, long] = recs.slice(1 + cases.length);
    expect(coerced).toMatchObject({
      event_type: '[object Object]',
      event_description: '12345',
      fields: { value: 'plain' },
    });
    // Stored as the bot said it, and still not a collector record: its source is the bot's.
    expect(spoofed).toMatchObject({ event_type: 'ic-audit.gap', source: 'ws' });
    expect(long!.event_type.length).toBeLessThanOrEqual(MAX_EVENT_TYPE_LENGTH);
    expect(long!.event_description).toMatch(/^d+…\[\+\d+ chars\]$/);
  });

  it('non-ASCII text, through the default transport and a standard WebSocket (webSocket option): stored exactly', async () => {
    const c = own(await startCollector({ keepDataDir: false })).current;
    const viaDefault = track(new AuditNotifier({ projectName: 'Unicode', projectMarket: 'FOREX', url: c.ingestUrl }));
    // Any WHATWG-style constructor takes the standard path (frames handed over as text); ws's class is one.
    const standard = WebSocket as unknown as WebSocketConstructor;
    const viaStandard = track(
      new AuditNotifier({ projectName: 'Unicode2', projectMarket: 'FOREX', url: c.ingestUrl, webSocket: standard }),
    );
    const texts = ['café', '日本語のテキスト', 'emoji 🚀📈', 'mixed é\u00e9 ü', 'x'.repeat(3_000) + 'ñ'];
    // Enough events for several frames and for the SDK's byte store to move and grow.
    for (let i = 0; i < 3_000; i++) {
      for (const n of [viaDefault, viaStandard])
        n.send(ProjectEvents.TRADE_OPENED, texts[i % texts.length]!, { i, note: texts[(i + 1) % texts.length]! });
      if (i % 500 === 0) await tick();
    }
    expect(await Promise.all([viaDefault.flush(30_000), viaStandard.flush(30_000)])).toEqual([true, true]);
    const journal = readJournal(c.dataDir);
    for (const n of [viaDefault, viaStandard]) {
      const recs = botRecords(journal, n.session);
      expectExactlyOnceInOrder(recs, 3_001);
      recs.slice(1).forEach((r, i) => {
        expect(r.event_description).toBe(texts[i % texts.length]);
        expect(r.fields).toEqual({ i, note: texts[(i + 1) % texts.length] });
      });
    }
  });

  it('triggerAuditDumping() returns a path whose file has the seed dump shape', async () => {
    const ref = own(await startCollector());
    const bot = track(
      new AuditNotifier({
        projectName: 'MyTradingBot',
        projectMarket: 'FOREX',
        projectDescription: 'Automated EURUSD trading system',
        projectPrivileges: ProjectPrivileges.EXECUTE_TRADE,
        url: ref.current.ingestUrl,
      }),
    );
    bot.send(ProjectEvents.TRADE_OPENED, 'Opened long EURUSD', { symbol: 'EURUSD', price: 1.085, quantity: 10000 });
    expect(await bot.flush(5000)).toBe(true);
    const result = await triggerAuditDumping({ url: ref.current.ingestUrl });
    expect(result).not.toBeNull();
    expect(result!.path.endsWith('dumped_audit_trails.json')).toBe(true);
    expect(existsSync(result!.path)).toBe(true);
    const dump = JSON.parse(readFileSync(result!.path, 'utf8')) as Record<string, Array<Record<string, unknown>>>;
    expect(Object.keys(dump)).toEqual(['MyTradingBot']);
    expect(result).toMatchObject({ projects: 1, events: 2 });
    const [boot, trade] = dump['MyTradingBot']!;
    expect(boot).toMatchObject({
      event_type: 'boot',
      event_description: 'Project was booted.',
      project_name: 'MyTradingBot',
      project_market: 'FOREX',
      project_description: 'Automated EURUSD trading system',
      project_privileges: ['execute_trade'],
    });
    // Every event carries the project's metadata, in the Python client's key order, as the Python server's dump did.
    expect(trade).toEqual({
      event_type: 'trade_opened',
      event_description: 'Opened long EURUSD',
      timestamp: trade!['timestamp'],
      symbol: 'EURUSD',
      price: 1.085,
      quantity: 10000,
      project_name: 'MyTradingBot',
      project_market: 'FOREX',
      project_description: 'Automated EURUSD trading system',
      project_privileges: ['execute_trade'],
    });
    expect(Object.keys(trade!)).toEqual([
      'event_type',
      'event_description',
      'timestamp',
      'symbol',
      'price',
      'quantity',
      'project_name',
      'project_market',
      'project_description',
      'project_privileges',
    ]);
    expect(typeof boot!['timestamp']).toBe('number');
  });

  it('triggerAuditDumping() resolves null when nothing listens', async () => {
    const port = await freePort();
    expect(await triggerAuditDumping({ url: `ws://127.0.0.1:${port}/ingest`, timeoutMs: 2000 })).toBeNull();
  });
});

/**
 * NATS JetStream scale-out (issue 7, docs/scaling.md), against a real 3-node cluster started here:
 * two collectors feeding one stream, two console-only instances seeing every event; a NATS node killed under
 * load; a collector killed mid-stream. Skipped (visibly) when `nats-server` is not installed.
 */
import { rmSync } from 'node:fs';
import { AuditNotifier } from '@ic-audit/client';
import { AckPolicy, DeliverPolicy, nanos, type NatsConnection } from 'nats';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BROTLI_SPLIT, ENCODING_HEADER } from '../../electron/src/nats/batch-encoding.js';
import { startCollector, type CollectorHandle } from '../helpers/collector.js';
import { natsServerBinary, until } from '../helpers/nats-cluster.mjs';
import { api, consoleRecords, countBySessionSeq, messageLines, natsSuite } from './nats-suite.js';

const NATS = natsServerBinary();
const SKIP_REASON = NATS === null ? ' [SKIPPED: nats-server not installed; apt-get install nats-server]' : '';

/** One stored message, as the test reads it straight from the stream. */
interface Stored {
  session: string;
  seq: number;
  source: string;
  event_type: string;
  project_name: string;
  collector: string;
  /** The message's `Ic-Audit-Encoding`, 'plain' without one. */
  encoding: string;
}

/** Reads every message of `stream`; retried a few times while the cluster elects new leaders after a kill. */
async function readStream(nc: NatsConnection, stream: string): Promise<Stored[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readStreamOnce(nc, stream);
    } catch (err) {
      if (attempt >= 8) throw err;
      await new Promise((res) => setTimeout(res, 250)); // let a new leader settle
    }
  }
}

/**
 * Reads every record of `stream` (an ephemeral consumer that knows how many messages there are), unpacking batch
 * messages (journal lines joined by newlines; an old single-record message is a batch of one).
 */
async function readStreamOnce(nc: NatsConnection, stream: string): Promise<Stored[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.consumers.add(stream, {
    deliver_policy: DeliverPolicy.All,
    ack_policy: AckPolicy.None,
    mem_storage: true,
    inactive_threshold: nanos(30_000),
  });
  const out: Stored[] = [];
  let read = 0;
  try {
    if (info.num_pending > 0) {
      const msgs = await (await nc.jetstream().consumers.get(stream, info.name)).consume({ max_messages: 1000 });
      for await (const m of msgs) {
        read++;
        for (const line of messageLines(m.data, m.headers)) {
          const r = JSON.parse(line) as Stored;
          out.push({
            ...r,
            collector: m.headers?.get('Ic-Audit-Collector') ?? '',
            encoding: m.headers?.get(ENCODING_HEADER) || 'plain',
          });
        }
        if (read >= info.num_pending) break;
      }
      msgs.stop();
      // Under load the pull can end early (missed heartbeats); that is a read to retry, not a lost event.
      if (read < info.num_pending) throw new Error(`read ${read} of ${info.num_pending} messages`);
    }
    // Check the read against the stream's own count: right after a leader change a new consumer can report (and
    // deliver) fewer pending messages than the stream holds (seen in CI: 4,013 read, 5,004 held; the retry read all).
    // A short read is retried; a stream that is itself short still fails the test.
    const { messages } = (await jsm.streams.info(stream)).state;
    if (read < messages) {
      console.log(`readStream: read ${read}, the stream holds ${messages}; reading again`);
      throw new Error(`read ${read} of the stream's ${messages} messages`);
    }
  } finally {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
  return out;
}

/** Expects every bot's seqs 1..N (boot + events) exactly once. */
function expectExact(records: Stored[], bots: AuditNotifier[], perBot: number): void {
  const counts = countBySessionSeq(records);
  const dups = [...counts].filter(([, n]) => n !== 1);
  expect(dups.slice(0, 5)).toEqual([]);
  expect(counts.size).toBe(bots.length * (perBot + 1));
  for (const bot of bots) {
    for (let seq = 1; seq <= perBot + 1; seq++) expect(counts.get(`${bot.session}:${seq}`)).toBe(1);
  }
}

/** Starts `n` SDK bots on a collector and has each send `events` events. */
function bots(c: CollectorHandle, project: string, n: number): AuditNotifier[] {
  return Array.from(
    { length: n },
    (_, i) =>
      new AuditNotifier({
        projectName: `${project}.${i}`,
        projectMarket: 'FOREX',
        url: c.ingestUrl,
        backoffCapMs: 500,
      }),
  );
}

function sendAll(list: AuditNotifier[], from: number, to: number): void {
  for (const b of list) for (let i = from; i < to; i++) b.send('trade_opened', `event ${i}`, { i, symbol: 'EURUSD' });
}

async function flushAll(list: AuditNotifier[]): Promise<void> {
  const results = await Promise.all(list.map((b) => b.flush(45_000)));
  expect(results).toEqual(list.map(() => true));
}

/** Every (session, seq) a console shows. */
async function consoleKeys(c: CollectorHandle): Promise<Map<string, number>> {
  return countBySessionSeq(await consoleRecords(c));
}

describe.skipIf(NATS === null)(`NATS JetStream scale-out${SKIP_REASON}`, () => {
  const suite = natsSuite(NATS, 3);

  it('two collectors feed one R3 stream; two console-only instances both show every event of both', async () => {
    const stream = 'T_FANIN';
    const a = await startCollector({ args: suite.args(stream) });
    suite.open.push(a);
    const b = await startCollector({ args: suite.args(stream) });
    suite.open.push(b);
    // One console follows live from before the first event; the other replays the stream after the fact.
    const live = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(live);
    const perBot = 1000;
    const botsA = bots(a, 'DeskA', 2);
    const botsB = bots(b, 'DeskB', 2);
    const all = [...botsA, ...botsB];
    suite.open.push(...all);
    sendAll(all, 0, perBot);
    await flushAll(all);

    const stored = await readStream(suite.nc, stream);
    expectExact(stored, all, perBot);
    const writers = new Set(stored.map((r) => r.collector));
    expect(writers.size).toBe(2);
    // By default the batches (all but the smallest) travel compressed.
    expect(stored.filter((r) => r.encoding === BROTLI_SPLIT).length).toBeGreaterThan(stored.length / 2);

    const replay = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(replay);
    const total = all.length * (perBot + 1);
    for (const c of [live, replay]) {
      await until('console caught up', async () => (await api(c, '/api/health')).events === total, 30_000);
      const keys = await consoleKeys(c);
      expect(keys.size).toBe(total);
      expect([...keys.values()].every((n) => n === 1)).toBe(true);
      const health = await api(c, '/api/health');
      expect(health.integrity.ok).toBe(true);
      expect(health.integrity.message).toContain('2 collectors');
      const sessions: Array<{ project: { project_name: string }; events: number }> = await api(c, '/api/sessions');
      expect(sessions.map((s) => s.project.project_name).sort()).toEqual(['DeskA.0', 'DeskA.1', 'DeskB.0', 'DeskB.1']);
      expect(sessions.every((s) => s.events === perBot + 1)).toBe(true);
    }
    // The bots are still connected: their collectors announce it, so the consoles show them connected.
    await until(
      'presence',
      async () => (await api(replay, '/api/sessions')).every((s: { connected: boolean }) => s.connected),
      15_000,
    );
    // Bots pointed at a console-only instance are refused with a reason.
    const refused = await fetch(`${replay.httpUrl}/ingest`, {
      method: 'POST',
      body: '{"project_name":"X","event_type":"boot"}',
    });
    expect(refused.status).toBe(503);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('E_NO_INGEST');
    expect(error.message).toContain('console-only');
    // A WebSocket bot is told the same in an error frame, and the connection is closed as a policy refusal.
    const ws = new WebSocket(`${replay.httpUrl.replace('http', 'ws')}/ingest`);
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(String(data)));
    const closeCode = await new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    expect(closeCode).toBe(1008);
    expect(JSON.parse(frames[0]!)).toMatchObject({ type: 'error', code: 'E_NO_INGEST' });
    // A dump from a console reads the stream: the seed's shape, every project, every event.
    const dumped = await fetch(`${replay.httpUrl}/api/dump`, {
      method: 'POST',
      headers: { authorization: `Bearer ${replay.consoleToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: '30h', format: 'json' }),
    }).then((r) => r.json());
    expect(dumped.result.events).toBe(total);
    expect(dumped.result.projects).toBe(4);
    for (const bot of all) await bot.close(5_000);
  });

  it('kill one NATS node (the stream leader) under load: no acked event lost, no duplicates; it catches up on restart', async () => {
    const stream = 'T_NODEKILL';
    const c = await startCollector({ args: suite.args(stream) });
    suite.open.push(c);
    const list = bots(c, 'NodeKill', 2);
    suite.open.push(...list);
    const perBot = 2500;
    sendAll(list, 0, perBot / 2);
    const jsm = await suite.nc.jetstreamManager();
    // Batch messages, compressed (~45 bytes a record): some of this first half is in.
    await until('first records stored', async () => (await jsm.streams.info(stream)).state.bytes > 60_000);
    const leader = (await jsm.streams.info(stream)).cluster?.leader ?? 's1';
    const victim = suite.cluster.names.indexOf(leader);
    await suite.cluster.kill(victim);
    sendAll(list, perBot / 2, perBot);
    await flushAll(list);

    const stored = await readStream(suite.nc, stream);
    expectExact(stored, list, perBot);

    await suite.cluster.restart(victim);
    const total = (await jsm.streams.info(stream)).state.messages;
    // The restarted node's own copy of the stream reaches the same count (JetStream catches it up).
    await until(
      'restarted node caught up',
      async () => {
        const jsz = await (await fetch(`${suite.cluster.monitor(victim)}/jsz?accounts=true&streams=true`)).json();
        const streams = (jsz.account_details ?? []).flatMap(
          (a: { stream_detail?: unknown[] }) => a.stream_detail ?? [],
        );
        const s = streams.find((x: { name: string }) => x.name === stream) as
          { state: { messages: number } } | undefined;
        return s !== undefined && s.state.messages === total;
      },
      30_000,
    );
    for (const bot of list) await bot.close(5_000);
  });

  it('kill a collector mid-stream: its bots reconnect after restart, resend, and the stream stays exact', async () => {
    const stream = 'T_COLLKILL';
    let c = await startCollector({ args: suite.args(stream), keepDataDir: true });
    const dataDir = c.dataDir;
    suite.open.push({ close: () => rmSync(dataDir, { recursive: true, force: true }) });
    const list = bots(c, 'CollKill', 2);
    suite.open.push(...list);
    const perBot = 20_000;
    sendAll(list, 0, perBot);
    const jsm = await suite.nc.jetstreamManager();
    // Some hundreds of the 40,000 records (compressed, ~45 bytes each): well before the bots are done.
    await until('some records stored', async () => (await jsm.streams.info(stream)).state.bytes > 20_000);
    expect(list.some((b) => b.stats().queued > 0)).toBe(true); // killed mid-stream: events not acked yet
    await c.kill('SIGKILL');
    c = await c.restart();
    suite.open.push(c);
    await flushAll(list);

    const stored = await readStream(suite.nc, stream);
    expectExact(stored, list, perBot);
    // The restarted collector's journal and the stream agree: every journaled record is in the stream once.
    expect(new Set(stored.map((r) => r.collector)).size).toBe(1);
    for (const bot of list) await bot.close(5_000);
  });
});

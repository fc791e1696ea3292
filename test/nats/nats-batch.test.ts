/**
 * Batched publishing (issue 19) against a real 3-node JetStream cluster (R1 streams) started here: a batch resent after a lost
 * publish ack is stored once; console-only dumps are byte for byte local ones; a session whose hello is older than
 * the console's replay still shows its project (session bucket); a bot that fails over to another collector shows no
 * false gap. Skipped (visibly) when `nats-server` is not installed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditNotifier } from '@ic-audit/client';
import { headers, type NatsConnection } from 'nats';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BROTLI, BROTLI_SPLIT, ENCODING_HEADER } from '../../electron/src/nats/batch-encoding.js';
import { checkDump } from '../../electron/src/integrity/verify-dump.js';
import { collectorId } from '../../electron/src/nats/collector-id.js';
import { IDS_HEADER } from '../../electron/src/nats/stream-message.js';
import { StreamConsole } from '../../electron/src/nats/stream-console.js';
import { resolveConfig } from '../../electron/src/settings/config.js';
import { CHROMIUM } from '../helpers/chromium.js';
import { startCollector } from '../helpers/collector.js';
import { connectRaw, event, hello } from '../helpers/raw-client.js';
import { natsServerBinary, until } from '../helpers/nats-cluster.mjs';
import { api, consoleRecords, countBySessionSeq, messageLines, natsSuite, type ShownRecord } from './nats-suite.js';

const NATS = natsServerBinary();
const SKIP_REASON = NATS === null ? ' [SKIPPED: nats-server not installed; apt-get install nats-server]' : '';

/**
 * Every record of `stream` (batch messages decompressed and unpacked), the number of messages, and how many of them came
 * compressed, read by stream sequence.
 */
async function readStream(
  nc: NatsConnection,
  stream: string,
): Promise<{ records: ShownRecord[]; messages: number; compressed: number }> {
  const jsm = await nc.jetstreamManager();
  const { first_seq: first, last_seq: last, messages } = (await jsm.streams.info(stream)).state;
  const records: ShownRecord[] = [];
  let compressed = 0;
  for (let seq = first; messages > 0 && seq <= last; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (m.header.get(ENCODING_HEADER) !== '') compressed++;
    for (const line of messageLines(m.data, m.header)) records.push(JSON.parse(line) as ShownRecord);
  }
  return { records, messages, compressed };
}

describe.skipIf(NATS === null)(`NATS batched publishing${SKIP_REASON}`, () => {
  const suite = natsSuite(NATS, 1);

  /** A collector on `stream` and an SDK bot of `project` connected to it, both closed after the file's tests. */
  async function collectorWithBot(stream: string, project: string) {
    const c = await startCollector({ args: suite.args(stream) });
    suite.open.push(c);
    const bot = new AuditNotifier({ projectName: project, projectMarket: 'FOREX', url: c.ingestUrl });
    suite.open.push(bot);
    return { c, bot };
  }

  it('batches resent after lost publish acks are stored once (same ranges, same ids); consoles show each record once', async () => {
    const stream = 'T_RESEND';
    let c = await startCollector({ args: suite.args(stream), keepDataDir: true });
    const dataDir = c.dataDir;
    suite.open.push({ close: () => rmSync(dataDir, { recursive: true, force: true }) });
    const bots = [0, 1].map(
      (i) => new AuditNotifier({ projectName: `Resend.${i}`, projectMarket: 'FOREX', url: c.ingestUrl }),
    );
    suite.open.push(...bots);
    for (const b of bots) for (let i = 0; i < 1500; i++) b.send('trade_opened', `event ${i}`, { i });
    expect(await Promise.all(bots.map((b) => b.flush(30_000)))).toEqual([true, true]);
    for (const b of bots) await b.close(5_000);
    const before = await readStream(suite.nc, stream);
    expect(before.messages).toBeLessThan(before.records.length / 10); // batches, not one message per record
    expect(before.compressed).toBeGreaterThan(0); // the bigger batches travel compressed (and read back exact, below)
    expect(countBySessionSeq(before.records).size).toBe(2 * 1501);

    // Every publish ack "lost": kill -9, then rewind the cursor to nothing, so the restarted collector publishes its
    // whole journal again. It resends the logged ranges under the same message ids: JetStream keeps one copy.
    await c.kill('SIGKILL');
    writeFileSync(join(dataDir, 'nats.cursor.json'), JSON.stringify({ stream, id: 0, received_at: 0 }) + '\n');
    c = await c.restart();
    suite.open.push(c);
    const after = await readStream(suite.nc, stream);
    expect(after.messages).toBe(before.messages);
    expect([...countBySessionSeq(after.records).values()].every((n) => n === 1)).toBe(true);
    expect(after.records.length).toBe(before.records.length);

    // Without the log (a power cut can lose its tail) the ranges are new: JetStream stores a second copy under
    // other ids, and consoles still show every record once (each writer's journal ids are deduplicated).
    await c.kill('SIGKILL');
    writeFileSync(join(dataDir, 'nats.cursor.json'), JSON.stringify({ stream, id: 0, received_at: 0 }) + '\n');
    rmSync(join(dataDir, 'nats.batches'));
    c = await c.restart();
    suite.open.push(c);
    const twice = await readStream(suite.nc, stream);
    expect(twice.records.length).toBeGreaterThan(before.records.length);
    const consoleOnly = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(consoleOnly);
    await until('console caught up', async () => (await api(consoleOnly, '/api/health')).events === 2 * 1501, 30_000);
    const shown = await consoleRecords(consoleOnly);
    expect(shown.length).toBe(before.records.length);
    expect([...countBySessionSeq(shown).values()].every((n) => n === 1)).toBe(true);
    expect((await api(consoleOnly, '/api/health')).integrity.ok).toBe(true);
  });

  it('a console-only dump is byte for byte the local dump of the same records', async () => {
    const stream = 'T_DUMP';
    const c = await startCollector({ args: suite.args(stream) });
    suite.open.push(c);
    const bot = await connectRaw(c.ingestUrl, { hello: hello('dump-session-1', 'DumpBot') });
    // Fields whose exact text matters (sent as raw JSON text): 250.0, a big integer, non-ASCII, nesting, escapes.
    const ts = Date.now() / 1000;
    bot.ws.send(
      `{"type":"events","events":[` +
        `{"seq":1,"event_type":"trade_opened","event_description":"open","timestamp":${ts},` +
        `"fields":{"price":250.0,"qty":12345678901234567890,"note":"Z\u00fcrich €","nested":{"a":[1,2.50]}}},` +
        `{"seq":2,"event_type":"trade_closed","event_description":"close","timestamp":${ts},` +
        `"fields":{"text":"line\\nbreak \\"quoted\\"","ratio":1e-7}}]}`,
    );
    bot.send({ type: 'events', events: Array.from({ length: 200 }, (_, i) => event(3 + i)) });
    await bot.waitForAck(202);
    await bot.close();
    const sdk = new AuditNotifier({
      projectName: 'DumpSdk',
      projectMarket: 'CRYPTO',
      projectDescription: 'dump test',
      url: c.ingestUrl,
    });
    suite.open.push(sdk);
    for (let i = 0; i < 300; i++) sdk.send('signal', `s ${i}`, { i, px: i + 0.5 });
    expect(await sdk.flush(30_000)).toBe(true);
    await sdk.close(5_000);

    const consoleOnly = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(consoleOnly);
    const events = (await api(c, '/api/health')).events;
    await until('console caught up', async () => (await api(consoleOnly, '/api/health')).events === events, 30_000);
    const local = (await api(c, '/api/dump', { scope: '30h', format: 'json' })).result;
    const fromStream = (await api(consoleOnly, '/api/dump', { scope: '30h', format: 'json' })).result;
    expect(fromStream.events).toBe(local.events);
    const a = readFileSync(local.path);
    const b = readFileSync(fromStream.path);
    expect(b.toString('utf8')).toBe(a.toString('utf8'));
    expect(a.toString('utf8')).toContain('250.0');
  });

  it('a session whose hello is older than the replay still shows market, description and privileges', async () => {
    const stream = 'T_OLDHELLO';
    const c = await startCollector({ args: suite.args(stream) });
    suite.open.push(c);
    const session = 'old-hello-session';
    const bot = await connectRaw(c.ingestUrl, {
      hello: hello(session, 'OldHello', {
        project: {
          project_name: 'OldHello',
          project_market: 'FUTURES',
          project_description: 'hello long ago',
          project_privileges: ['execute_trade', 'read_only'],
        },
      }),
    });
    bot.send({ type: 'events', events: [event(1)] });
    await bot.waitForAck(1);
    await new Promise((res) => setTimeout(res, 1_000)); // the session record's bucket put, and a clear time boundary
    const replaySince = new Date();
    await new Promise((res) => setTimeout(res, 50));
    bot.send({ type: 'events', events: [event(2), event(3)] });
    await bot.waitForAck(3);

    const dir = mkdtempSync(join(tmpdir(), 'ic-audit-console-'));
    suite.open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const config = resolveConfig({ dataDir: dir, nats: suite.cluster.urls, natsStream: stream, natsReplicas: '1' }, {});
    const sc = await StreamConsole.open(config, config.nats!, { replaySince });
    suite.open.push(sc);
    await until('session completed from the bucket', () => sc.sessions()[0]?.project.project_market === 'FUTURES');
    // The replay holds only the later events, not the session record.
    expect(sc.recent(10).map((r) => r.seq)).toEqual([2, 3]);
    const [s] = sc.sessions();
    expect(s!.session).toBe(session);
    expect(s!.project).toEqual({
      project_name: 'OldHello',
      project_market: 'FUTURES',
      project_description: 'hello long ago',
      project_privileges: ['execute_trade', 'read_only'],
    });
    expect(s!.sdk).toBe('raw-test@1');
    expect(s!.events).toBe(2);
    await bot.close();
  });

  it('a bot that fails over to another collector shows no false gap; a real gap still shows', async () => {
    const stream = 'T_FAILOVER';
    const a = await startCollector({ args: suite.args(stream) });
    suite.open.push(a);
    const b = await startCollector({ args: suite.args(stream) });
    suite.open.push(b);
    const session = 'failover-session';
    const toA = await connectRaw(a.ingestUrl, { hello: hello(session, 'Failover') });
    toA.sendRange(1, 10);
    await toA.waitForAck(10);
    await toA.close();
    // The bot moves to collector B, which never saw the session: it resends 9..10 (stored by A; say their ack was
    // lost) and goes on. B journals seqs 1..8 as a gap of its own; the stream has them from A.
    const toB = await connectRaw(b.ingestUrl, { hello: hello(session, 'Failover') });
    expect(toB.frames.find((f) => f.type === 'welcome')?.['acked']).toBe(0);
    toB.sendRange(9, 15);
    await toB.waitForAck(15);
    // A real gap: 16..19 never sent anywhere.
    toB.send({ type: 'events', events: [event(20)] });
    await toB.waitForAck(20);
    await toB.close();
    const bGaps = (await api(b, '/api/records?limit=100')).records.filter(
      (r: ShownRecord) => r.event_type === 'ic-audit.gap',
    );
    expect(bGaps.map((r: ShownRecord) => [r.fields['from_seq'], r.fields['to_seq']])).toEqual([
      [16, 19],
      [1, 8],
    ]);

    const consoleOnly = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(consoleOnly);
    await until('console caught up', async () => (await api(consoleOnly, '/api/health')).events === 16, 30_000);
    const shown = await consoleRecords(consoleOnly);
    const seqs = countBySessionSeq(shown);
    expect([...seqs.keys()].length).toBe(16); // 1..15 and 20
    expect([...seqs.values()].every((n) => n === 1)).toBe(true);
    const gaps = shown.filter((r) => r.event_type === 'ic-audit.gap');
    expect(gaps.map((r) => [r.fields['from_seq'], r.fields['to_seq']])).toEqual([[16, 19]]);
    const sessions: Array<{ session: string; gaps: number; missing: number; events: number }> = await api(
      consoleOnly,
      '/api/sessions',
    );
    expect(sessions.find((s) => s.session === session)).toMatchObject({ gaps: 1, missing: 4, events: 16 });
  });

  it('a stream written by the previous version (one record per message) reads on, with batches after it', async () => {
    const stream = 'T_OLDFORMAT';
    // Old-format messages: take a collector's journal lines (from its batches in a scratch stream) and publish each
    // alone, with the previous version's message id and header, as that version did.
    const scratch = await startCollector({ args: suite.args('T_SCRATCH', ['--nats-compress', 'off']) });
    suite.open.push(scratch);
    const old = await connectRaw(scratch.ingestUrl, { hello: hello('old-format-session', 'OldFormat') });
    old.sendRange(1, 50);
    await old.waitForAck(50);
    await old.close();
    const jsm = await suite.nc.jetstreamManager();
    const scratchInfo = (await jsm.streams.info('T_SCRATCH')).state;
    await jsm.streams.add({ name: stream, subjects: [`ic-audit.${stream}.events.>`], num_replicas: 1 });
    const js = suite.nc.jetstream();
    let published = 0;
    for (let seq = scratchInfo.first_seq; seq <= scratchInfo.last_seq; seq++) {
      const m = await jsm.streams.getMessage('T_SCRATCH', { seq });
      expect(m.header.get(ENCODING_HEADER)).toBe(''); // --nats-compress off: plain lines
      for (const line of messageLines(m.data, m.header)) {
        const r = JSON.parse(line) as ShownRecord & { id: number; project_name: string };
        const h = headers();
        h.set('Ic-Audit-Collector', m.header.get('Ic-Audit-Collector'));
        const msgID = r.seq > 0 ? `${r.session}:${r.seq}` : `${m.header.get('Ic-Audit-Collector')}:${r.id}`;
        await js.publish(`ic-audit.${stream}.events.${r.project_name}`, line, { headers: h, msgID });
        published++;
      }
    }
    expect(published).toBe(51); // the session record and 50 events
    // Then a current collector writes batches into the same stream.
    const c = await startCollector({ args: suite.args(stream) });
    suite.open.push(c);
    const bot = await connectRaw(c.ingestUrl, { hello: hello('new-format-session', 'NewFormat') });
    bot.sendRange(1, 300);
    await bot.waitForAck(300);
    await bot.close();
    const consoleOnly = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(consoleOnly);
    await until('console caught up', async () => (await api(consoleOnly, '/api/health')).events === 350, 30_000);
    const shown = countBySessionSeq(await consoleRecords(consoleOnly));
    expect(shown.size).toBe(350);
    expect([...shown.values()].every((n) => n === 1)).toBe(true);
    const health = await api(consoleOnly, '/api/health');
    expect(health.integrity.ok).toBe(true);
    expect(health.integrity.message).toContain('2 collectors');
  });
  it('a local journal switched to NATS goes out as a backlog: big batches compressed, small ones plain, in order', async () => {
    // A big run of one project, then small runs of another: the backlog is cut per project, so compressed and plain
    // messages alternate; consoles read both.
    const stream = 'T_ORDER';
    const local = await startCollector({ keepDataDir: true });
    const dataDir = local.dataDir;
    suite.open.push({ close: () => rmSync(dataDir, { recursive: true, force: true }) });
    for (const [project, n] of [
      ['Big', 2_000],
      ['Small', 1],
      ['Big', 1_000],
      ['Small', 1],
    ] as const) {
      const bot = new AuditNotifier({ projectName: project, projectMarket: 'FOREX', url: local.ingestUrl });
      for (let i = 0; i < n; i++) bot.send('trade_opened', `event ${i}`, { i, symbol: 'EURUSD' });
      expect(await bot.flush(30_000)).toBe(true);
      await bot.close(5_000);
    }
    await local.close();
    const c = await startCollector({ dataDir, args: suite.args(stream) });
    suite.open.push(c);
    const jsm = await suite.nc.jetstreamManager();
    const { first_seq: first, last_seq: last } = (await jsm.streams.info(stream)).state;
    const order: Array<[number, string]> = [];
    for (let seq = first; seq <= last; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      order.push([Number(m.header.get(IDS_HEADER).split('-')[0]), m.header.get(ENCODING_HEADER) || 'plain']);
    }
    const ids = order.map(([id]) => id);
    expect(ids, JSON.stringify(order)).toEqual([...ids].sort((a, b) => a - b));
    const kinds = order.map(([, kind]) => kind);
    expect(kinds).toContain(BROTLI_SPLIT);
    expect(kinds.lastIndexOf('plain')).toBeGreaterThan(kinds.indexOf(BROTLI_SPLIT));
    const consoleOnly = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(consoleOnly);
    await until('console caught up', async () => (await api(consoleOnly, '/api/health')).events >= 3_002, 30_000);
    const shown = countBySessionSeq(await consoleRecords(consoleOnly));
    expect([...shown.values()].every((n) => n === 1)).toBe(true);
    expect((await api(consoleOnly, '/api/health')).integrity.ok).toBe(true);
  });
  it('verify names records deleted from the stream; a console flags a message of ours it cannot read', async () => {
    const stream = 'T_TAMPER';
    const { c, bot } = await collectorWithBot(stream, 'Tamper');
    for (let round = 0; round < 3; round++) {
      // Three flushes: at least three commits, so at least three batch messages.
      for (let i = 0; i < 1_000; i++) bot.send('trade_opened', `event ${i}`, { i, symbol: 'EURUSD' });
      expect(await bot.flush(30_000)).toBe(true);
    }
    const jsm = await suite.nc.jetstreamManager();
    const { first_seq: first, last_seq: last } = (await jsm.streams.info(stream)).state;
    expect(last - first).toBeGreaterThanOrEqual(2);
    const viewer = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(viewer);
    await until('console caught up', async () => (await api(viewer, '/api/health')).events === 3_001, 30_000);
    expect((await api(viewer, '/api/verify', {})).ok).toBe(true);

    // Someone with write access to the stream deletes a batch in the middle: its lines, hashes and links go with it,
    // so only the writer's ids can tell. Verify walks the whole stream and names them.
    const victim = await jsm.streams.getMessage(stream, { seq: first + 1 });
    const [from, to] = victim.header.get(IDS_HEADER).split('-').map(Number);
    await jsm.streams.deleteMessage(stream, first + 1);
    const writer = collectorId(c.dataDir);
    const missing = from === to ? `record ${from} is` : `records ${from}-${to} are`;
    expect(await api(viewer, '/api/verify', {})).toMatchObject({
      ok: false,
      first_bad_id: null,
      message: `chain broken: writer ${writer}: ${missing} missing from the stream`,
    });

    // A message that says it is compressed but is not: a console replaying the stream counts it against integrity.
    const h = headers();
    h.set('Ic-Audit-Collector', writer);
    h.set(ENCODING_HEADER, BROTLI);
    const forged = await suite.nc.jetstream().publish(`ic-audit.${stream}.events.Tamper`, Buffer.from('not brotli'), {
      headers: h,
    });
    const replay = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(replay);
    await until('replay saw the forged message', async () => {
      const { integrity } = await api(replay, '/api/health');
      return integrity.ok === false;
    });
    const unreadable = {
      first_bad_id: forged.seq * 10_000,
      message: expect.stringMatching(
        new RegExp(`^chain broken: message unreadable: payload does not decompress .*\\(stream seq ${forged.seq}\\)$`),
      ),
    };
    expect((await api(replay, '/api/health')).integrity).toMatchObject(unreadable);
    // Verify meets it during its walk, before it counts the deleted ids: the first break is the one it names.
    expect(await api(viewer, '/api/verify', {})).toMatchObject({ ok: false, ...unreadable });

    // A console whose replay starts after the message meets it only when a query or a dump reads the stream: the
    // query breaks its integrity as the live follower would; the dump is written but says, in its result and in its
    // signed manifest, that it is not the whole trail, and verify-dump fails it for that.
    const dir = mkdtempSync(join(tmpdir(), 'ic-audit-console-'));
    suite.open.push({ close: () => rmSync(dir, { recursive: true, force: true }) });
    const config = resolveConfig({ dataDir: dir, nats: suite.cluster.urls, natsStream: stream, natsReplicas: '1' }, {});
    const late = await StreamConsole.open(config, config.nats!, { replaySince: new Date(Date.now() + 3_600_000) });
    suite.open.push(late);
    expect(late.health().integrity.ok).toBe(true);
    const readable = (await late.query({ limit: 10_000 })).length;
    expect(readable).toBeGreaterThan(1_000);
    expect(late.health().integrity).toMatchObject({ ok: false, ...unreadable });
    const dumped = await late.dump({ all: true, format: 'ndjson' });
    expect(dumped.events).toBe(readable);
    expect(dumped.warning).toMatch(
      new RegExp(`^1 stream message could not be read .*\\(stream seq ${forged.seq}: payload does not decompress`),
    );
    const verdict = checkDump(readFileSync(dumped.path), readFileSync(dumped.manifest, 'utf8'), new Map());
    expect(verdict.findings.map((f) => f.code)).toContain('E_SOURCE_UNREADABLE');
    expect(verdict.ok).toBe(false);

    // The console's dump button says so too, in the dump toast, as an alert.
    const browser = await chromium.launch(CHROMIUM);
    suite.open.push(browser);
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(`${replay.httpUrl}/?token=${replay.consoleToken}`);
    await page.waitForSelector('[data-testid=link].live');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dump-button')]);
    await download.delete();
    await page.waitForSelector('[data-testid=dump-status].done');
    expect(await page.getAttribute('[data-testid=dump-status]', 'role')).toBe('alert');
    expect(await page.textContent('[data-testid=dump-warning]')).toMatch(
      new RegExp(`^Incomplete: 1 stream message could not be read .*\\(stream seq ${forged.seq}: `),
    );
  });
  it("verify names a collector's first batches deleted from the stream, and takes a first batch stored late", async () => {
    const stream = 'T_HEAD';
    const { bot: early } = await collectorWithBot(stream, 'Early');
    early.send('trade_opened', 'first', { i: 0 });
    expect(await early.flush(30_000)).toBe(true);
    const { c: b, bot } = await collectorWithBot(stream, 'Later');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 500; i++) bot.send('trade_opened', `event ${i}`, { i });
      expect(await bot.flush(30_000)).toBe(true);
    }
    const writer = collectorId(b.dataDir);
    const jsm = await suite.nc.jetstreamManager();
    const { first_seq: first, last_seq: last } = (await jsm.streams.info(stream)).state;
    let head = 0;
    for (let seq = first; seq <= last && head === 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (m.header.get('Ic-Audit-Collector') === writer) head = seq;
    }
    const saved = await jsm.streams.getMessage(stream, { seq: head });
    const ids = saved.header.get(IDS_HEADER);
    expect(ids).toMatch(/^1-\d+$/);
    const viewer = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(viewer);
    const intact = await api(viewer, '/api/verify', {});
    expect(intact.ok).toBe(true);
    // The stream still starts at its first message (collector a's): every collector's ids must start at 1.
    await jsm.streams.deleteMessage(stream, head);
    const to = Number(ids.split('-')[1]);
    expect(await api(viewer, '/api/verify', {})).toMatchObject({
      ok: false,
      message: `chain broken: writer ${writer}: ${to === 1 ? 'record 1 is' : `records 1-${to} are`} missing from the stream`,
    });
    // The same batch stored again, now after the writer's later ones (as a resend after a lost publish would be):
    // it is taken, not dropped as older than the writer's first id in view.
    const h = headers();
    for (const [key, values] of saved.header) for (const v of values) h.append(key, v);
    h.set('Nats-Msg-Id', `${writer}:again`);
    await suite.nc.jetstream().publish(saved.subject, saved.data, { headers: h });
    expect(await api(viewer, '/api/verify', {})).toMatchObject({ ok: true, records: intact.records });
  });

  it("verify names a collector's last batch cut from the stream, from the ids it announced as stored", async () => {
    const stream = 'T_TAIL';
    const { c, bot } = await collectorWithBot(stream, 'Tail');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 500; i++) bot.send('trade_opened', `event ${i}`, { i });
      expect(await bot.flush(30_000)).toBe(true);
    }
    const jsm = await suite.nc.jetstreamManager();
    const { last_seq: last } = (await jsm.streams.info(stream)).state;
    const tail = (await jsm.streams.getMessage(stream, { seq: last })).header.get(IDS_HEADER);
    const [from, to] = tail.split('-').map(Number);
    const viewer = await startCollector({ args: suite.args(stream, ['--console-only']) });
    suite.open.push(viewer);
    expect((await api(viewer, '/api/verify', {})).ok).toBe(true);
    // Cut the newest batch: nothing after it shows a hole, but the collector keeps announcing how far JetStream
    // acknowledged its journal (every 5 s), so the next Verify after an announcement names the cut.
    await jsm.streams.deleteMessage(stream, last);
    const missing = from === to ? `record ${from} is` : `records ${from}-${to} are`;
    await until('verify names the cut tail', async () => !(await api(viewer, '/api/verify', {})).ok, 15_000);
    expect((await api(viewer, '/api/verify', {})).message).toBe(
      `chain broken: writer ${collectorId(c.dataDir)}: ${missing} missing from the stream (acknowledged by JetStream, announced by the collector)`,
    );
  });

  it('publishes straight to the server that leads its stream, not through another server (no route hop)', async () => {
    // The client picks a random server of the list: without the preference one collector in three would land on
    // its leader anyway, so four streams (four leaders, placed by the cluster) make a pass by chance ~1%.
    for (const stream of ['T_LEAD1', 'T_LEAD2', 'T_LEAD3', 'T_LEAD4']) {
      const c = await startCollector({ args: suite.args(stream) });
      suite.open.push(c);
      const leader = (await (await suite.nc.jetstreamManager()).streams.info(stream)).cluster?.leader ?? '';
      const name = `ic-audit collector ${collectorId(c.dataDir)}`;
      const onServer = async (i: number): Promise<string[]> => {
        const connz = (await (await fetch(`${suite.cluster.monitor(i)}/connz`)).json()) as {
          connections?: Array<{ name?: string }>;
        };
        return (connz.connections ?? []).map((x) => x.name ?? '').filter((n) => n === name);
      };
      const where = await Promise.all(suite.cluster.names.map((_, i) => onServer(i)));
      const i = suite.cluster.names.indexOf(leader);
      expect(i, `leader ${leader}`).toBeGreaterThanOrEqual(0);
      expect(where[i]!.length, `${stream}: collectors per server ${JSON.stringify(where)}, leader ${leader}`).toBe(1);
      expect(where.flat()).toHaveLength(1);
      await c.close();
    }
  });
});

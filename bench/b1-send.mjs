// B1: cost of the SDK's send() on the bot's thread (ns per call, connected to the real collector and with no
// collector), side by side with pino's logger.info(obj, msg) to an async destination and the seed's design (a new
// TCP connection per event, to the real collector's legacy port). B1b: total bot CPU per event until delivered.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { AuditNotifier } from '@ic-audit/client';
import { startCollector } from './lib/collector.mjs';
import { deadPort } from './lib/ports.mjs';
import { ratio, summarize } from './lib/stats.mjs';
import { DESC, PROJECT, TYPE, fields } from './lib/workload.mjs';

const tick = () => new Promise(setImmediate);

/**
 * Times `samples` batches of `perSample` calls of `call(i)`; returns ns per call of each batch. Between batches the
 * event loop runs (as in a real bot), and `between()` may wait (e.g. for the SDK buffer to drain).
 */
async function timeCalls(call, samples, perSample, between = tick) {
  const out = new Float64Array(samples);
  let i = 0;
  for (let s = 0; s < samples; s++) {
    const t0 = process.hrtime.bigint();
    for (const end = i + perSample; i < end; i++) call(i);
    out[s] = Number(process.hrtime.bigint() - t0) / perSample;
    await between();
  }
  return out;
}

/** Total process CPU (user + system, all threads) per event for `n` events until `done()` resolves, in ns. */
async function cpuPerEvent(n, call, done, burst = 1_000, between = tick) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n;) {
    for (const end = Math.min(n, i + burst); i < end; i++) call(i);
    await between();
  }
  await done();
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / n;
}

function notifier(url) {
  return new AuditNotifier({ projectName: 'b1-bot', projectMarket: 'FOREX', url });
}

/** Keeps the SDK's buffer far from full so no sample pays for evictions (a connected bot's steady state). */
const drained = (n) => async () => {
  await tick();
  if (n.stats().queued > 20_000) await n.flush(30_000);
};

/** The seed's design: one TCP connection per event, written and answered, to the real collector. */
function seedSender(port) {
  let open = 0;
  const json = (i) =>
    JSON.stringify({
      ...PROJECT,
      event_type: TYPE,
      event_description: DESC,
      timestamp: Date.now() / 1000,
      ...fields(i),
    });
  return {
    send(i) {
      open++;
      const s = connect(port, '127.0.0.1', () => s.end(json(i)));
      s.on('data', () => s.destroy());
      s.on('error', () => undefined);
      s.on('close', () => open--);
    },
    async settle() {
      for (const deadline = Date.now() + 30_000; open > 0 && Date.now() < deadline;) await sleep(2);
    },
  };
}

export async function run({ quick }) {
  const runs = 3;
  const samples = quick ? 200 : 1_000;
  const per = 1_000;
  const cpuN = quick ? 50_000 : 200_000;
  const seedSamples = quick ? 20 : 50;
  const seedPer = 100;
  const collector = await startCollector();
  const dead = `ws://127.0.0.1:${await deadPort()}/ingest`;
  const logger = pino(pino.destination({ dest: '/dev/null', sync: false }));
  const r = { conn: [], disc: [], pino: [], seed: [], cpuSdk: [], cpuPino: [], cpuSeed: [] };
  const seedPort = collector.port;
  try {
    for (let k = 0; k < runs; k++) {
      const n = notifier(collector.ingestUrl);
      try {
        while (!(await n.flush(1_000))); // connected and the boot event acked
        await timeCalls((i) => n.send(TYPE, DESC, fields(i)), 20, per, drained(n)); // warm-up
        r.conn.push(await timeCalls((i) => n.send(TYPE, DESC, fields(i)), samples, per, drained(n)));
        await n.flush(30_000);
        r.cpuSdk.push([
          await cpuPerEvent(
            cpuN,
            (i) => n.send(TYPE, DESC, fields(i)),
            () => n.flush(60_000),
            1_000,
            drained(n),
          ),
        ]);
      } finally {
        await n.close(1_000);
      }
      const d = notifier(dead);
      try {
        // No collector: events pile up in the bounded buffer, then the oldest are evicted (counted as dropped).
        r.disc.push(await timeCalls((i) => d.send(TYPE, DESC, fields(i)), samples, per));
      } finally {
        await d.close(0);
      }
      await timeCalls((i) => logger.info(fields(i), DESC), 20, per); // warm-up
      r.pino.push(await timeCalls((i) => logger.info(fields(i), DESC), samples, per));
      r.cpuPino.push([
        await cpuPerEvent(
          cpuN,
          (i) => logger.info(fields(i), DESC),
          () => new Promise((res) => logger.flush(res)),
        ),
      ]);
      const seed = seedSender(seedPort);
      r.seed.push(
        await timeCalls(
          (i) => seed.send(i),
          seedSamples,
          seedPer,
          () => seed.settle(),
        ),
      );
      r.cpuSeed.push([
        await cpuPerEvent(
          seedSamples * seedPer,
          (i) => seed.send(i),
          () => seed.settle(),
          seedPer,
          () => seed.settle(),
        ),
      ]);
    }
  } finally {
    await new Promise((res) => logger.flush(() => res()));
    await collector.close();
  }
  const pinoS = summarize(r.pino);
  const seedS = summarize(r.seed);
  const fig = (name, s, extra = {}) => ({
    id: 'B1',
    name,
    unit: 'ns/call',
    ...s,
    reference: 'pino logger.info(obj, msg), async destination',
    reference_median: pinoS.median,
    ratio: ratio(s.median, pinoS.median),
    ...extra,
  });
  const conn = summarize(r.conn);
  const disc = summarize(r.disc);
  const bar = (s) => ({
    bar: 'p50 <= 250 ns, p99 <= 1 us, >= 10x cheaper than pino',
    bar_met: s.median <= 250 && s.p99 <= 1_000 && ratio(pinoS.median, s.median) >= 10,
    note: `${ratio(pinoS.median, s.median).toFixed(1)}x cheaper than pino; ${ratio(seedS.median, s.median).toFixed(0)}x cheaper than the seed's design`,
  });
  const cpuSdk = summarize(r.cpuSdk);
  const cpuPino = summarize(r.cpuPino);
  return [
    fig('send() on the bot thread, connected (per-call mean of 1,000-call samples)', conn, bar(conn)),
    fig('send() on the bot thread, no collector (buffering, then evicting oldest)', disc, bar(disc)),
    { id: 'B1-ref', name: 'reference: pino logger.info(obj, msg) to /dev/null, async', unit: 'ns/call', ...pinoS },
    {
      id: 'B1-ref',
      name: "reference: seed's design, net.connect + write per event (sync part)",
      unit: 'ns/call',
      ...seedS,
    },
    {
      id: 'B1b',
      name: 'bot CPU per event, SDK: send + batch + serialize + socket write, until acked',
      unit: 'ns/event',
      ...cpuSdk,
      reference: 'pino total CPU per event (until flushed)',
      reference_median: cpuPino.median,
      ratio: ratio(cpuSdk.median, cpuPino.median),
      bar: `<= pino's per-call cost (${pinoS.median.toFixed(0)} ns)`,
      bar_met: cpuSdk.median <= pinoS.median,
    },
    { id: 'B1b-ref', name: 'reference: pino total CPU per event (until flushed)', unit: 'ns/event', ...cpuPino },
    {
      id: 'B1b-ref',
      name: "reference: seed's design total CPU per event (until answered)",
      unit: 'ns/event',
      ...summarize(r.cpuSeed),
    },
  ];
}

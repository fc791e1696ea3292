// B2-NATS: durable ingest in NATS mode (issue 7), events/s with 8 SDK clients against the real collector started
// with `--nats` on a throwaway 3-node JetStream cluster (127.0.0.1, temp dirs), stream R1 and R3, beside a local-journal
// collector measured in the same run as the reference. Same workload and method as B2 (`sdkIngest`). In NATS mode a
// bot's event is acked only after the journal fdatasync AND the JetStream ack (a quorum of replicas with R3).
import { connect } from 'nats';
import { sdkIngest } from './b2-ingest.mjs';
import { startCollector } from './lib/collector.mjs';
import { natsServerBinary, startNatsCluster } from '../test/helpers/nats-cluster.mjs';
import { ratio, summarize } from './lib/stats.mjs';
import { batchPayload } from '../electron/dist/nats/batch-encoding.js';

const CLIENTS = 8;
const ID = 'B2-NATS';

export async function run({ quick }) {
  const binary = natsServerBinary();
  if (binary === null) {
    return [
      {
        id: ID,
        name: 'skipped: nats-server not installed (not on PATH, /usr/sbin, /usr/bin or $NATS_SERVER); `apt-get install nats-server` to measure NATS mode',
        unit: '',
        runs: 0,
      },
    ];
  }
  const total = quick ? 60_000 : 200_000; // events per run, every configuration alike (B2 quick sends 60,000 too)
  // Warm-up as in B2: past one lap of the collector's recent-window ring (64 MiB, ~160k events), whose first touch of
  // fresh memory is a once-per-process cost that would otherwise land in the first runs only.
  const warm = quick ? 10_000 : 200_000;
  // Full: more interleaved runs, as the ratio of two noisy medians moves ±0.07 between runs of 5 on this machine.
  const runs = quick ? 3 : 9;
  const timeoutMs = quick ? 60_000 : 180_000; // per flush: a stuck configuration fails the run instead of hanging it

  const configs = [
    { key: 'local', args: [], name: `durable ingest, ${CLIENTS} SDK clients, local journal (reference, same run)` },
    {
      key: 'R1',
      stream: 'B2R1',
      replicas: 1,
      name: `durable ingest, ${CLIENTS} SDK clients, NATS mode R1 (3-node cluster, --nats-replicas 1)`,
    },
    {
      key: 'R3',
      stream: 'B2R3',
      replicas: 3,
      name: `durable ingest, ${CLIENTS} SDK clients, NATS mode R3 (3-node cluster, --nats-replicas 3)`,
    },
  ];
  const collectors = [];
  let cluster = null;
  let cleanupError;
  try {
    cluster = await startNatsCluster(binary, 3);
    // Each configuration gets its own collector and fresh data dir; all stay up so the runs can be interleaved.
    for (const c of configs) {
      const args = c.stream
        ? ['--nats', cluster.urls, '--nats-stream', c.stream, '--nats-replicas', String(c.replicas)]
        : [];
      const collector = await startCollector({ args, timeoutMs: 60_000 });
      collectors.push(collector);
      c.collector = collector;
      c.rates = [];
      await sdkIngest(collector.ingestUrl, CLIENTS, warm, timeoutMs); // warm-up: JIT, journal file, stream leader
    }
    for (let r = 0; r < runs; r++) {
      // Interleaved (order rotated per run), so a noisy moment on this shared machine hits every configuration alike.
      for (let k = 0; k < configs.length; k++) {
        const c = configs[(k + r) % configs.length];
        c.rates.push([await sdkIngest(c.collector.ingestUrl, CLIENTS, total, timeoutMs)]);
      }
    }
    // Sanity: every acked event is in its stream (warm-up + runs; plus the session records the collector adds).
    for (const c of configs.filter((x) => x.stream)) c.held = await streamRecords(cluster, c.stream);
  } finally {
    const errors = [];
    for (const collector of collectors) await collector.close().catch((err) => errors.push(err));
    if (cluster !== null) await cluster.close().catch((err) => errors.push(err));
    cleanupError = errors[0];
  }
  // A failed clean-up is reported after the run's own error, never in its place.
  if (cleanupError !== undefined) throw cleanupError;

  const sent = warm + runs * total;
  const local = summarize(configs[0].rates);
  return configs.map((c, k) => {
    const s = k === 0 ? local : summarize(c.rates);
    const figure = { id: ID, name: c.name, unit: 'events/s', ...s, higher_is_better: true };
    if (k === 0) return figure;
    const { records: held, messages } = c.held;
    const fmt = (n) => n.toLocaleString('en-US');
    return {
      ...figure,
      reference: 'local journal, same run',
      reference_median: local.median,
      ratio: ratio(s.median, local.median),
      note: !Number.isFinite(held)
        ? `stream ${c.stream} record count unavailable`
        : held >= sent
          ? `stream ${c.stream}: ${fmt(held)} records = ${fmt(sent)} acked events + ${fmt(held - sent)} session/boot records, in ${fmt(messages)} batch messages`
          : `stream ${c.stream} holds only ${fmt(held)} records for ${fmt(sent)} acked events`,
    };
  });
}

/**
 * Records (journal lines) and messages in `stream`, each message fetched by its sequence (batch messages carry many
 * lines each); NaN when the read fails.
 */
export async function streamRecords(cluster, stream) {
  const nc = await connect({ servers: cluster.urls.split(','), maxReconnectAttempts: -1 });
  try {
    const jsm = await nc.jetstreamManager();
    const { first_seq: first, last_seq: last, messages } = (await jsm.streams.info(stream)).state;
    let records = 0;
    for (let seq = first; messages > 0 && seq <= last; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      const payload = batchPayload(m.data, m.header);
      if (typeof payload === 'string') throw new Error(payload);
      for (const b of payload) if (b === 0x0a) records++;
      records++;
    }
    return { records, messages };
  } catch {
    return { records: NaN, messages: NaN };
  } finally {
    await nc.close();
  }
}

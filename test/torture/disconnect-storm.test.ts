/**
 * Disconnect storm: many bots connect, send and drop at random (clean close, abrupt reset right after a frame,
 * reset in the middle of a large frame, gone before hello, half an HTTP upgrade) for a while. Afterwards the
 * collector's open file descriptors are back to their baseline and its memory near it (both read from /proc,
 * polled until they settle), and every bot, resuming from `welcome.acked`, has each of its events stored once.
 *
 * short (npm test): 50 bots for 8 s. long (IC_AUDIT_TORTURE=long): 200 bots for 60 s.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type CollectorHandle } from '../helpers/collector.js';
import { connectRaw, type RawClient } from '../helpers/raw-client.js';
import { Cleanup, forEachRecord, health, mib, procStats, report, rng, size, until, verify } from './torture-kit.js';

const BOTS = size(50, 200);
const SECONDS = size(8, 60);
/** Longest pause of a bot between two connections (the long run's 200 bots pause longer, to bound the journal). */
const PAUSE_MS = size(60, 200);
/** Memory slack over the baseline once the storm is over: allocator and V8 heap noise, not per-connection state. */
const RSS_SLACK = 128 * 1024 * 1024;
/** A few fds may legitimately differ (a segment rolled over, a timer's epoll entry). */
const FD_SLACK = 3;

type Rand = ReturnType<typeof rng>;

/** One bot slot: its own session, its own seqs, resuming from welcome.acked on every reconnect. */
class Slot {
  readonly session = randomUUID();
  generated = 0;
  connections = 0;
  /** What each connection did, for the failure message. */
  readonly history: string[] = [];
  constructor(
    readonly index: number,
    private readonly url: string,
    private readonly port: number,
    private readonly rand: Rand,
  ) {}

  private frame(from: number, to: number): Record<string, unknown> {
    const events = [];
    for (let q = from; q <= to; q++) {
      events.push({
        seq: q,
        event_type: 'tick',
        event_description: `slot ${this.index} #${q}`,
        timestamp: Date.now() / 1000,
        fields: { q },
      });
    }
    return { type: 'events', events };
  }

  /** One random connection: what a flaky bot does. */
  async once(): Promise<string> {
    this.connections++;
    const roll = this.rand.next();
    if (roll < 0.08) {
      // Half an HTTP upgrade, then gone.
      const s = connect(this.port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise<void>((r) => s.once('connect', () => r()));
      s.write('GET /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConn');
      s.destroy();
      return 'half-upgrade';
    }
    const c = await connectRaw(this.url, { session: this.session, hello: roll < 0.16 ? null : undefined });
    if (roll < 0.16) {
      c.ws.terminate();
      return 'gone-before-hello';
    }
    const welcome = await c.waitFor((f) => f.type === 'welcome');
    const acked = welcome['acked'] as number;
    this.history.push(`welcome ${acked} gen ${this.generated}`);
    expect(acked).toBeLessThanOrEqual(this.generated);
    // Resend what the collector does not have, then a few new frames.
    for (let s = acked + 1; s <= this.generated; s += 500) c.send(this.frame(s, Math.min(this.generated, s + 499)));
    const frames = this.rand.int(1, 4);
    for (let f = 0; f < frames; f++) {
      const n = this.rand.int(1, 8);
      c.send(this.frame(this.generated + 1, this.generated + n));
      this.generated += n;
    }
    const how = this.rand.next();
    if (how < 0.4) {
      await c.waitForAck(this.generated);
      await c.close();
      this.history.push('clean' + ' ' + this.generated);
      return 'clean';
    }
    if (how < 0.9) {
      c.ws.terminate(); // reset right after the frames, before any ack
      this.history.push('reset-after-send' + ' ' + this.generated);
      return 'reset-after-send';
    }
    // A big frame (many small events, like the rest) cut off mid-way by the reset.
    const n = size(200, 100);
    c.send(this.frame(this.generated + 1, this.generated + n));
    this.generated += n;
    c.ws.terminate();
    this.history.push('reset-mid-frame' + ' ' + this.generated);
    return 'reset-mid-frame';
  }

  /** A last clean connection that delivers everything. */
  async finish(): Promise<void> {
    const c: RawClient = await connectRaw(this.url, { session: this.session });
    const acked = (await c.waitFor((f) => f.type === 'welcome'))['acked'] as number;
    this.history.push(`final welcome ${acked} gen ${this.generated}`);
    for (let s = acked + 1; s <= this.generated; s += 500) c.send(this.frame(s, Math.min(this.generated, s + 499)));
    if (acked < this.generated) await c.waitForAck(this.generated);
    await c.close();
  }
}

describe('disconnect storm', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it(
    `returns to its fd and memory baseline after ${BOTS} bots churn for ${SECONDS} s`,
    async () => {
      const rand = rng('disconnect-storm');
      const c: CollectorHandle = await startCollector();
      cleanup.add(() => c.close());
      const pid = c.child.pid!;

      const storm = async (slots: Slot[], seconds: number, kinds: Record<string, number>): Promise<void> => {
        const end = Date.now() + seconds * 1000;
        await Promise.all(
          slots.map(async (slot) => {
            while (Date.now() < end) {
              const kind = await slot.once();
              kinds[kind] = (kinds[kind] ?? 0) + 1;
              await new Promise((r) => setTimeout(r, rand.int(0, PAUSE_MS)));
            }
          }),
        );
      };
      const settled = async (
        what: string,
        cond: (s: { rss: number; fds: number }) => boolean,
      ): Promise<{ rss: number; fds: number }> => {
        let s = procStats(pid);
        let connected = -1;
        await until(
          async () => {
            s = procStats(pid);
            connected = (await health(c.httpUrl))['connected'] as number;
            return cond(s) && connected === 0;
          },
          what,
          60_000,
          250,
        ).catch((err: Error) => {
          throw new Error(`${err.message}; last: fds ${s.fds}, RSS ${mib(s.rss)}, connected ${connected}`);
        });
        return s;
      };

      // Warm up: fill the collector's recent window (100,000 records, kept in memory by design) with records like
      // the storm's, so the storm's records replace them instead of growing it; churn a little (JIT, heap); then take
      // the baseline once fds stop moving.
      const filler = await connectRaw(c.ingestUrl);
      const WINDOW = 100_000;
      for (let s = 1; s <= WINDOW; s += 1_000) {
        filler.send({
          type: 'events',
          events: Array.from({ length: 1_000 }, (_, k) => ({
            seq: s + k,
            event_type: 'tick',
            event_description: `slot 0 #${s + k}`,
            timestamp: Date.now() / 1000,
            fields: { q: s + k },
          })),
        });
        if ((s - 1) % 20_000 === 0) await filler.waitForAck(s); // keep the journal backlog small
      }
      await filler.waitForAck(WINDOW, 60_000);
      await filler.close();
      const warm = Array.from({ length: Math.min(BOTS, 20) }, (_, i) => new Slot(i, c.ingestUrl, c.port, rand));
      await storm(warm, 1.5, {});
      await Promise.all(warm.map((s) => s.finish()));
      let prevFds = -1;
      const baseline = await settled('the warm-up connections to close', (s) => {
        const stable = s.fds === prevFds;
        prevFds = s.fds;
        return stable;
      });

      const kinds: Record<string, number> = {};
      const slots = Array.from({ length: BOTS }, (_, i) => new Slot(100 + i, c.ingestUrl, c.port, rand));
      let peak = baseline;
      const sampler = setInterval(() => {
        const s = procStats(pid);
        peak = { rss: Math.max(peak.rss, s.rss), fds: Math.max(peak.fds, s.fds) };
      }, 200);
      cleanup.add(() => clearInterval(sampler));
      await storm(slots, SECONDS, kinds);
      clearInterval(sampler);
      await Promise.all(slots.map((s) => s.finish()));

      // Back to baseline: every socket closed (fds), and memory not holding on to the storm.
      const after = await settled(
        `fds back to ${baseline.fds} and RSS near ${mib(baseline.rss)}`,
        (s) => s.fds <= baseline.fds + FD_SLACK && s.rss <= baseline.rss + RSS_SLACK,
      );
      expect(after.fds).toBeLessThanOrEqual(baseline.fds + FD_SLACK);
      expect(after.rss).toBeLessThanOrEqual(baseline.rss + RSS_SLACK);
      expect(peak.fds).toBeGreaterThan(baseline.fds + Math.min(BOTS, 20) / 2); // the storm really held many sockets

      // Nothing lost, nothing twice.
      const bySession = new Map<string, number[]>();
      let gaps = 0;
      await forEachRecord(c.dataDir, (r) => {
        if (r['event_type'] === 'ic-audit.gap') gaps++;
        if (r['seq'] > 0)
          (bySession.get(r['session']) ?? bySession.set(r['session'], []).get(r['session'])!).push(r['seq']);
      });
      for (const s of slots) {
        const got = bySession.get(s.session) ?? [];
        if (got.length !== s.generated) {
          const have = new Set(got);
          const missing = Array.from({ length: s.generated }, (_, k) => k + 1).filter((q) => !have.has(q));
          process.stderr.write(
            `slot ${s.index} missing ${missing[0]}..${missing.at(-1)} (${missing.length}); history:\n  ${s.history.join('\n  ')}\n`,
          );
        }
        expect(got, `slot ${s.index}`).toEqual(Array.from({ length: s.generated }, (_, k) => k + 1));
      }
      expect(gaps).toBe(0);
      expect((await health(c.httpUrl))['status']).toBe('ok');
      const v = verify(c.dataDir);
      expect(v.status, v.out).toBe(0);
      const connections = slots.reduce((n, s) => n + s.connections, 0);
      report('disconnect-storm', {
        bots: BOTS,
        seconds: SECONDS,
        connections,
        kinds,
        events: slots.reduce((n, s) => n + s.generated, 0),
        baseline: { rss: mib(baseline.rss), fds: baseline.fds },
        peak: { rss: mib(peak.rss), fds: peak.fds },
        after: { rss: mib(after.rss), fds: after.fds },
      });
    },
    size(90_000, 600_000),
  );
});

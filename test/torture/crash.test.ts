/**
 * Crash: 8 SDK bots stream while the collector is killed with SIGKILL at random moments and restarted on the same
 * port and data dir. After every kill, every event a bot saw acked is already in the journal; at the end every
 * session holds each seq exactly once, gaps account exactly for what the bots dropped, and the chain verifies.
 *
 * Beside them a raw-protocol bot that never trusts `welcome.acked`: after each restart it resends from 10 below
 * the last ack it saw itself, so the collector's dedup is exercised on every cycle.
 *
 * short (npm test): 4 kill cycles. long (IC_AUDIT_TORTURE=long): 20 cycles.
 */
import { rmSync } from 'node:fs';
import { AuditNotifier } from '@ic-audit/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, tempDataDir, type CollectorHandle } from '../helpers/collector.js';
import { connectRaw, journalRecords, readJournal, type RawClient } from '../helpers/raw-client.js';
import { Cleanup, LONG, report, rng, size, until, verify } from './torture-kit.js';

const CYCLES = size(4, 20);
const BOTS = 8;
/** Bots 0..5 have room for everything (must never drop); bots 6 and 7 have a tiny buffer and drop while it is down. */
const SMALL_BUFFER_BOTS = new Set([6, 7]);
const DESCRIPTIONS = ['Opened long EURUSD', 'prix 1,0850 € ✓', 'ordre exécuté 日本円 → 🚀', 'Closed position'];

interface Bot {
  notifier: AuditNotifier;
  /** Events handed to send() (the boot event excluded). */
  sends: number;
  session: string;
}

describe('crash: kill -9 the collector while 8 SDK bots stream', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it(
    `loses no acked event and duplicates none over ${CYCLES} kill cycles`,
    async () => {
      const rand = rng('crash');
      const dataDir = tempDataDir();
      cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
      let c: CollectorHandle = await startCollector({ dataDir, keepDataDir: true });
      cleanup.add(() => c.close());

      const bots: Bot[] = [];
      for (let i = 0; i < BOTS; i++) {
        const notifier = new AuditNotifier({
          projectName: `CrashBot-${i}`,
          projectMarket: 'FOREX',
          projectDescription: 'bot under kill -9 « torture » ✓',
          url: c.ingestUrl,
          backoffBaseMs: 20,
          backoffCapMs: 400,
          ...(SMALL_BUFFER_BOTS.has(i) ? { bufferMaxEvents: 100 } : {}),
        });
        bots.push({ notifier, sends: 0, session: '' });
      }
      cleanup.add(() => Promise.all(bots.map((b) => b.notifier.close(500))));
      // Each bot sends a few events every few ms, from its own timer, for the whole test.
      let streaming = true;
      const timers = bots.map((b, i) =>
        setInterval(() => {
          if (!streaming) return;
          const n = 1 + ((i + b.sends) % 6);
          for (let k = 0; k < n; k++) {
            b.sends++;
            b.notifier.send(
              k % 5 === 0 ? 'error' : 'trade_opened',
              `${DESCRIPTIONS[b.sends % DESCRIPTIONS.length]} #${b.sends}`,
              {
                symbol: 'EURUSD',
                n: b.sends,
                note: 'données ✓ 🚀',
              },
            );
          }
        }, 4 + i),
      );
      cleanup.add(() => timers.forEach(clearInterval));

      // The raw resender: its own seqs, its own idea of what was acked.
      const resender = {
        session: '0123456789-resender-' + Date.now(),
        generated: 0,
        lastAck: 0,
        conn: null as RawClient | null,
      };
      const rawEvent = (seq: number) => ({
        seq,
        event_type: 'trade_closed',
        event_description: `résumé ${seq} ✓`,
        timestamp: Date.now() / 1000,
        fields: { seq },
      });
      const resend = (): void => {
        const conn = resender.conn;
        if (conn === null || conn.ws.readyState !== conn.ws.OPEN) return;
        for (let s = Math.max(1, resender.lastAck - 10); s <= resender.generated; s += 50) {
          const events = [];
          for (let q = s; q <= Math.min(resender.generated, s + 49); q++) events.push(rawEvent(q));
          conn.send({ type: 'events', events });
        }
      };
      const connectResender = async (): Promise<void> => {
        const conn = await connectRaw(c.ingestUrl, { session: resender.session, hello: null });
        conn.ws.on('message', (data) => {
          const f = JSON.parse(String(data)) as { type: string; seq?: number };
          if (f.type === 'ack') resender.lastAck = Math.max(resender.lastAck, f.seq!);
        });
        conn.send({
          type: 'hello',
          v: 1,
          session: resender.session,
          project: { project_name: 'RawResender', project_market: 'FX' },
        });
        await conn.waitFor((f) => f.type === 'welcome');
        resender.conn = conn;
        resend(); // ignores welcome.acked on purpose
      };
      await connectResender();
      const rawTimer = setInterval(() => {
        const conn = resender.conn;
        if (!streaming || conn === null || conn.ws.readyState !== conn.ws.OPEN) return;
        const from = resender.generated + 1;
        resender.generated += 3;
        conn.send({ type: 'events', events: [rawEvent(from), rawEvent(from + 1), rawEvent(from + 2)] });
      }, 5);
      cleanup.add(() => clearInterval(rawTimer));
      cleanup.add(() => resender.conn?.close());

      const sessionOf = (project: string): string => {
        // Read right after a kill -9, which may have cut a write short: its torn last line is the next start's job.
        const r = readJournal(dataDir, { allowTornTail: true }).records.find(
          (x) => x['project_name'] === project && x['event_type'] === 'ic-audit.session',
        );
        return String(r?.['session'] ?? '');
      };
      let killsWithBacklog = 0;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        // Every bot must be delivering again (connected and acking on this collector) before the next kill.
        const before = bots.map((b) => b.notifier.stats().acked);
        await until(
          () => bots.every((b, i) => b.notifier.stats().acked > before[i]! + 5),
          `all bots acking (cycle ${cycle})`,
          30_000,
        );
        await new Promise((r) => setTimeout(r, rand.int(0, 400))); // the random moment
        await c.kill('SIGKILL');
        const ackedAtKill = bots.map((b) => b.notifier.stats());
        const rawAckedAtKill = resender.lastAck;
        if (ackedAtKill.some((s) => s.queued > 0)) killsWithBacklog++;
        // Nothing acked may be missing from disk, and nothing may be there twice.
        const recs = readJournal(dataDir, { allowTornTail: true }).records;
        for (let i = 0; i < BOTS; i++) {
          const b = bots[i]!;
          b.session ||= sessionOf(`CrashBot-${i}`);
          const seqs = recs.filter((r) => r['session'] === b.session && r['seq'] > 0).map((r) => r['seq'] as number);
          expect(new Set(seqs).size, `bot ${i} duplicates after kill ${cycle}`).toBe(seqs.length);
          if (!SMALL_BUFFER_BOTS.has(i)) {
            // Without drops, ack count = highest acked seq: seqs 1..acked must all be on disk.
            const acked = ackedAtKill[i]!.acked;
            expect(seqs.slice(0, acked), `bot ${i} acked events missing after kill ${cycle}`).toEqual(
              Array.from({ length: acked }, (_, k) => k + 1),
            );
          } else {
            expect(seqs.length).toBeGreaterThanOrEqual(ackedAtKill[i]!.acked);
          }
        }
        const rawSeqs = recs
          .filter((r) => r['session'] === resender.session && r['seq'] > 0)
          .map((r) => r['seq'] as number);
        expect(new Set(rawSeqs).size, `raw resender duplicates after kill ${cycle}`).toBe(rawSeqs.length);
        expect(rawSeqs.slice(0, rawAckedAtKill)).toEqual(Array.from({ length: rawAckedAtKill }, (_, k) => k + 1));
        // Down for a random while (the bots keep buffering, the small ones drop), then back on the same port.
        await new Promise((r) => setTimeout(r, rand.int(0, 300)));
        c = await c.restart();
        await connectResender();
      }

      streaming = false;
      timers.forEach(clearInterval);
      clearInterval(rawTimer);
      resend();
      await until(() => resender.lastAck === resender.generated, 'the raw resender acked', 60_000);
      await resender.conn!.close();
      await until(() => bots.every((b) => b.notifier.stats().queued === 0), 'every bot drained', 60_000);
      const stats = bots.map((b) => b.notifier.stats());
      await Promise.all(bots.map((b) => b.notifier.close(2_000)));
      await c.kill('SIGTERM');

      const recs = journalRecords(dataDir);
      let stored = 0;
      let dropped = 0;
      for (let i = 0; i < BOTS; i++) {
        const b = bots[i]!;
        const s = stats[i]!;
        const total = b.sends + 1; // + boot
        const events = recs.filter(
          (r) => r['session'] === b.session && r['seq'] > 0 && r['event_type'] !== 'ic-audit.gap',
        );
        const seqs = events.map((r) => r['seq'] as number);
        const gaps = recs
          .filter((r) => r['session'] === b.session && r['event_type'] === 'ic-audit.gap')
          .map((r) => r['fields'] as { from_seq: number; to_seq: number; missing: number });
        const missing = gaps.reduce((n, g) => n + g.missing, 0);
        // The bot's own books: everything it accepted is acked or dropped, nothing still queued.
        expect(s.queued).toBe(0);
        expect(s.acked + s.dropped, `bot ${i} stats`).toBe(total);
        // The journal: strictly rising seqs (no duplicate, journal order), and stored + recorded gaps = 1..total exactly.
        expect(
          seqs.every((q, k) => k === 0 || q > seqs[k - 1]!),
          `bot ${i} seqs rise`,
        ).toBe(true);
        const covered = new Array<number>(total + 1).fill(0);
        for (const q of seqs) covered[q]!++;
        for (const g of gaps) for (let q = g.from_seq; q <= g.to_seq; q++) covered[q]!++;
        expect(
          covered.slice(1).every((n) => n === 1),
          `bot ${i}: every seq stored or in a gap, exactly once`,
        ).toBe(true);
        expect(seqs.at(-1) ?? 0).toBeLessThanOrEqual(total);
        // Reconciliation: the dropped events that never reached the collector are exactly the gaps.
        expect(seqs.length - s.acked, `bot ${i}: stored - acked = dropped but delivered`).toBe(s.dropped - missing);
        expect(s.sent).toBeGreaterThanOrEqual(seqs.length);
        if (!SMALL_BUFFER_BOTS.has(i)) {
          expect(s.dropped, `bot ${i} dropped`).toBe(0);
          expect(gaps).toHaveLength(0);
          expect(seqs.length).toBe(total);
        }
        stored += seqs.length;
        dropped += s.dropped;
      }
      const rawSeqs = recs.filter((r) => r['session'] === resender.session && r['seq'] > 0).map((r) => r['seq']);
      expect(rawSeqs, 'raw resender: each seq exactly once').toEqual(
        Array.from({ length: resender.generated }, (_, k) => k + 1),
      );
      const v = verify(dataDir);
      expect(v.out).toContain('OK');
      expect(v.status).toBe(0);
      report('crash', {
        cycles: CYCLES,
        bots: BOTS,
        stored: stored + rawSeqs.length,
        rawResent: resender.generated,
        dropped_by_small_buffers: dropped,
        killsWithBacklog,
        long: LONG,
      });
    },
    size(120_000, 600_000),
  );
});

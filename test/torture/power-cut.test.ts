/**
 * Power cut: after a kill -9, the newest segment is cut at a random byte offset (anywhere, inside the last record,
 * in the middle of a multi-byte UTF-8 sequence, or exactly on a line end), round after round on the same data dir.
 * Every complete record before the cut comes back byte for byte, the torn bytes are kept aside exactly, the chain
 * verifies, and the bot whose tail was cut resumes from `welcome.acked` and ends with each seq exactly once.
 *
 * short (npm test): 4 rounds. long (IC_AUDIT_TORTURE=long): 30 rounds.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, tempDataDir, type CollectorHandle } from '../helpers/collector.js';
import { connectRaw, journalRecords } from '../helpers/raw-client.js';
import { Cleanup, health, newestSegment, report, rng, size, verify } from './torture-kit.js';

const ROUNDS = size(4, 30);
/** Two-, three- and four-byte UTF-8 sequences, so random cuts often land inside one. */
const WORDS = ['prix', '€', 'é', 'ü', '日本', '円', '✓', '→', '🚀', '𝄞', 'ß', 'Ω', 'ordre exécuté'];
const MODES = ['anywhere', 'last-record', 'mid-utf8', 'line-end'] as const;

describe('power cut: truncate the newest segment at random offsets', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it(
    `recovers every complete record, keeps the torn bytes aside, over ${ROUNDS} rounds`,
    async () => {
      const rand = rng('power-cut');
      const dataDir = tempDataDir();
      cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
      let c: CollectorHandle = await startCollector({ dataDir, keepDataDir: true });
      cleanup.add(() => c.close());
      const description = (): string => Array.from({ length: rand.int(1, 12) }, () => rand.pick(WORDS)).join(' ');
      const eventsFor = (from: number, to: number) =>
        Array.from({ length: to - from + 1 }, (_, k) => ({
          seq: from + k,
          event_type: 'trade_opened',
          event_description: description(),
          timestamp: Date.now() / 1000,
          fields: { note: description(), n: from + k },
        }));
      const tornFiles = (): string[] =>
        readdirSync(join(dataDir, 'journal'))
          .filter((n) => n.includes('.torn-'))
          .sort();
      let bytesCut = 0;
      let bytesKeptAside = 0;
      let recordsLost = 0;
      const modes: Record<string, number> = {};

      for (let round = 0; round < ROUNDS; round++) {
        // A bot writes a burst (acked = durable), then the power goes.
        const session = randomUUID();
        const K = rand.int(5, 120);
        const bot = await connectRaw(c.ingestUrl, { session });
        for (let s = 1; s <= K; s += 40) bot.send({ type: 'events', events: eventsFor(s, Math.min(K, s + 39)) });
        await bot.waitForAck(K);
        await bot.close();
        await c.kill('SIGKILL');

        const file = newestSegment(dataDir);
        const full = readFileSync(file);
        const lastLineStart = full.lastIndexOf(0x0a, full.length - 2) + 1;
        const mode = round < MODES.length ? MODES[round]! : rand.pick(MODES);
        modes[mode] = (modes[mode] ?? 0) + 1;
        let cut: number;
        if (mode === 'anywhere') cut = rand.int(0, full.length - 1);
        else if (mode === 'last-record') cut = rand.int(lastLineStart, full.length - 1);
        else if (mode === 'line-end') cut = lastLineStart;
        else {
          // A continuation byte (10xxxxxx) in the last records: the cut leaves half a character.
          const from = Math.max(0, lastLineStart - 2_000);
          const inside: number[] = [];
          for (let i = from; i < full.length; i++) if ((full[i]! & 0xc0) === 0x80) inside.push(i);
          cut = rand.pick(inside);
          expect(full[cut]! & 0xc0).toBe(0x80);
        }
        const keep = cut === 0 ? 0 : full.lastIndexOf(0x0a, cut - 1) + 1;
        const torn = full.subarray(keep, cut);
        const keptLines = full.subarray(0, keep).toString('utf8').split('\n').filter(Boolean);
        const allLines = full.toString('utf8').split('\n').filter(Boolean);
        bytesCut += full.length - cut;
        bytesKeptAside += torn.length;
        recordsLost += allLines.length - keptLines.length;
        const tornBefore = tornFiles();
        truncateSync(file, cut);

        c = await c.restart();
        // Every complete record before the cut, byte for byte; nothing else.
        expect(
          readFileSync(file).equals(full.subarray(0, keep)),
          `round ${round} (${mode} at ${cut}/${full.length})`,
        ).toBe(true);
        const tornNow = tornFiles().filter((n) => !tornBefore.includes(n));
        if (torn.length > 0) {
          expect(tornNow, `round ${round}: torn tail kept aside`).toHaveLength(1);
          expect(readFileSync(join(dataDir, 'journal', tornNow[0]!)).equals(torn)).toBe(true);
          expect(c.output()).toMatch(/torn last line; bytes kept in/);
        } else {
          expect(tornNow).toHaveLength(0);
        }
        const h = await health(c.httpUrl);
        expect(h['status']).toBe('ok');
        expect(h['integrity']).toMatchObject({ ok: true, records: keptLines.length });
        const v = verify(dataDir);
        expect(v.status, v.out).toBe(0);

        // The bot comes back: the collector knows exactly what survived, the bot resends the rest.
        const survived = keptLines
          .map((l) => JSON.parse(l) as { session: string; seq: number })
          .filter((r) => r.session === session && r.seq > 0);
        const again = await connectRaw(c.ingestUrl, { session });
        const welcome = await again.waitFor((f) => f.type === 'welcome');
        expect(welcome['acked']).toBe(survived.at(-1)?.seq ?? 0);
        const from = (welcome['acked'] as number) + 1;
        if (from <= K) {
          again.send({ type: 'events', events: eventsFor(from, K) });
          await again.waitForAck(K);
        }
        await again.close();
        const seqs = journalRecords(dataDir)
          .filter((r) => r['session'] === session && r['seq'] > 0)
          .map((r) => r['seq']);
        expect(seqs).toEqual(Array.from({ length: K }, (_, k) => k + 1));
        expect(journalRecords(dataDir).some((r) => r['event_type'] === 'ic-audit.gap')).toBe(false);
      }
      const v = verify(dataDir);
      expect(v.status, v.out).toBe(0);
      report('power-cut', {
        rounds: ROUNDS,
        modes,
        bytesCut,
        bytesKeptAside,
        recordsCutOff: recordsLost,
        completeRecordsLost: 0,
      });
    },
    size(60_000, 600_000),
  );
});

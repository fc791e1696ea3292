import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCollectorRecord } from '@ic-audit/shared';
import { Collector } from '../src/collector/collector.js';
import { recentFromDisk } from '../src/read-model/query.js';
import { DEFAULTS } from '../src/settings/config.js';
import { rangesBytes, readRanges, readRangesSync, tailRanges } from '../src/journal/tail-lines.js';
import { collectorsPerTest, verifyDataDir, type CollectorHandle } from '../../test/helpers/collector.js';
import { connectRaw, sessionEvents, newestSegment } from '../../test/helpers/raw-client.js';

const { start, track } = collectorsPerTest();

async function health(c: CollectorHandle): Promise<Record<string, any>> {
  return (await (await fetch(`${c.httpUrl}/healthz`)).json()) as Record<string, any>;
}
async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A collector that journaled seqs 1..`events` from one raw bot, then stopped cleanly (writing its checkpoint). */
async function stoppedWith(
  events: number,
  batch: number,
): Promise<{ c: CollectorHandle; session: string; exit: unknown }> {
  const c = await start();
  const bot = await connectRaw(c.ingestUrl);
  bot.sendRange(1, events, batch);
  await bot.waitForAck(events);
  await bot.close();
  return { c, session: bot.session, exit: await c.kill('SIGTERM') };
}

describe('start-up checkpoint', () => {
  it('a clean stop writes one; the restart replays from it, keeps dedup and the window, and checks the chain behind', async () => {
    const { c, session, exit } = await stoppedWith(3_000, 300);
    expect(exit).toBe(0);
    expect(existsSync(join(c.dataDir, 'journal', 'checkpoint.json'))).toBe(true);

    const again = track(await c.restart());
    const h = await until(
      () => health(again),
      (x) => x['integrity'].checked_at !== 0,
      'the background check',
    );
    expect(h['integrity']).toMatchObject({ ok: true, first_bad_id: null });
    expect(h['events']).toBe(3_000);
    const back = await connectRaw(again.ingestUrl, { session });
    expect(back.frames[0]).toMatchObject({ type: 'welcome', acked: 3_000 });
    back.sendRange(2_990, 3_010, 50);
    await back.waitForAck(3_010);
    await back.close();
    expect(sessionEvents(c.dataDir, session).map((r) => r['seq'])).toEqual(
      Array.from({ length: 3_010 }, (_, i) => i + 1),
    );
    // The recent window was read back from the journal's tail: the console API sees the old events.
    const res = await fetch(`${again.httpUrl}/api/records?limit=5`, {
      headers: { authorization: `Bearer ${again.consoleToken}` },
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('event 3010');
    expect(verifyDataDir(c.dataDir).status).toBe(0);
  });

  it('while the window loads at start, recent() answers from the journal, the same as once it is loaded', async () => {
    const { c, exit } = await stoppedWith(3_000, 300);
    expect(exit).toBe(0);
    const col = await Collector.open({ ...DEFAULTS, dataDir: c.dataDir, port: 0, recentWindow: 1_000 });
    try {
      const during = col.recent(51); // the window's load has only just started (it reads in the thread pool)
      const fromDisk = recentFromDisk(join(c.dataDir, 'journal'), 51);
      await col.windowLoaded;
      const after = col.recent(51);
      // The newest record is the signed head of the clean stop (a collector record); the 50 before it are the bot's.
      expect(after.at(-1)).toMatchObject({ source: 'collector', event_type: 'ic-audit.head' });
      expect(after.filter((r) => !isCollectorRecord(r)).map((r) => r.seq)).toEqual(
        Array.from({ length: 50 }, (_, i) => 2_951 + i),
      );
      expect(during).toEqual(after);
      expect(fromDisk).toEqual(after);
      // Beyond the window, a query pages on from disk without a seam.
      const page = await col.query({ limit: 1_500 });
      expect(page.map((r) => r.seq)).toEqual(Array.from({ length: 1_500 }, (_, i) => 3_000 - i));
    } finally {
      await col.close();
    }
  });

  it('an edit before the checkpoint is still found, by the background check', async () => {
    const { c } = await stoppedWith(500, 100);
    const file = newestSegment(c.dataDir);
    const lines = readFileSync(file, 'utf8').split('\n');
    const victim = JSON.parse(lines[100]!) as { id: number };
    lines[100] = lines[100]!.replace('"event_description":"event ', '"event_description":"EVENT ');
    writeFileSync(file, lines.join('\n'));
    const again = track(await c.restart());
    const h = await until(
      () => health(again),
      (x) => x['integrity'].checked_at !== 0,
      'the background check',
    );
    expect(h['status']).toBe('degraded');
    expect(h['integrity']).toMatchObject({ ok: false, first_bad_id: victim.id });
  });

  it('a journal cut shorter than its checkpoint: full replay, reported loudly (healthz degraded, stderr), never accepted', async () => {
    const { c, session } = await stoppedWith(200, 100);
    const file = newestSegment(c.dataDir);
    const kept = readFileSync(file, 'utf8').split('\n').slice(0, 101).join('\n') + '\n';
    truncateSync(file, Buffer.byteLength(kept));
    const again = track(await c.restart());
    const h = await health(again);
    // The chain that is left is intact, but records the checkpoint and the signed stop head cover are gone.
    expect(h['status']).toBe('degraded');
    expect(h['integrity']).toMatchObject({ ok: false });
    expect(h['integrity'].message).toMatch(
      /^at start: journal ends at record 101, but head #\d+ signed .* covers \d+: \d+ records missing$/,
    );
    expect(again.output()).toMatch(/ic-audit: INTEGRITY ERROR E_JOURNAL_SHORT: at start: journal ends at record 101/);
    // The collector keeps running (and keeps the evidence): the bot resumes from what is really on disk.
    const back = await connectRaw(again.ingestUrl, { session });
    const acked = back.frames[0]!['acked'] as number;
    expect(acked).toBe(sessionEvents(c.dataDir, session).length);
    expect(acked).toBeLessThan(200);
    await back.close();
    const after = await until(
      () => health(again),
      (x) => x['integrity'].checked_at !== 0,
      'the background check',
    );
    expect(after['status']).toBe('degraded');
    expect(verifyDataDir(c.dataDir).status).toBe(1);
  });
});

/** The lines tailRanges points at, read back (every range must hold whole lines). */
function readTailLines(dir: string, n: number, chunkBytes?: number, maxBytes = Infinity): string[] {
  const ranges = tailRanges(dir, n, maxBytes, chunkBytes);
  const bytes = Buffer.alloc(rangesBytes(ranges));
  expect(readRangesSync(ranges, bytes)).toBe(bytes.length);
  const text = bytes.toString('utf8');
  if (text === '') return [];
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

describe('tailRanges', () => {
  it('finds the last n complete lines across chunk and segment boundaries, skipping an unfinished one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tail-'));
    try {
      const day1 = Array.from({ length: 3_000 }, (_, i) => `a${i}:${'x'.repeat(i % 700)}`);
      const day2 = Array.from({ length: 2_500 }, (_, i) => `b${i}:${'y'.repeat((i * 7) % 900)}`);
      writeFileSync(join(dir, '2026-01-01.jsonl'), day1.join('\n') + '\n');
      writeFileSync(join(dir, '2026-01-02.jsonl'), day2.join('\n') + '\n{"id":9,"unfinished');
      for (const chunk of [undefined, 4_096, 1_000, 333]) {
        expect(readTailLines(dir, 1, chunk)).toEqual(day2.slice(-1));
        expect(readTailLines(dir, 10, chunk)).toEqual(day2.slice(-10));
        expect(readTailLines(dir, 2_500, chunk)).toEqual(day2);
        expect(readTailLines(dir, 4_000, chunk)).toEqual([...day1.slice(-1_500), ...day2]);
        expect(readTailLines(dir, 10_000, chunk)).toEqual([...day1, ...day2]);
      }
      expect(tailRanges(dir, 0)).toEqual([]);
      // A byte budget keeps the newest whole lines that fit.
      const bytesOf = (lines: string[]): number => lines.reduce((s, l) => s + l.length + 1, 0);
      const last20 = day2.slice(-20);
      for (const chunk of [undefined, 333]) {
        expect(readTailLines(dir, 10_000, chunk, bytesOf(last20))).toEqual(last20);
        expect(readTailLines(dir, 10_000, chunk, bytesOf(last20) + 1)).toEqual(last20);
        expect(readTailLines(dir, 10_000, chunk, bytesOf(last20) - 1)).toEqual(last20.slice(1));
        const across = [...day1.slice(-3), ...day2];
        expect(readTailLines(dir, 10_000, chunk, bytesOf(across))).toEqual(across);
      }
      expect(readTailLines(dir, 10, undefined, 5)).toEqual([]);
      // The async reader puts the same bytes in the same place.
      const ranges = tailRanges(dir, 4_000);
      const a = Buffer.alloc(rangesBytes(ranges));
      const b = Buffer.alloc(rangesBytes(ranges));
      readRangesSync(ranges, a);
      expect(await readRanges(ranges, b)).toBe(b.length);
      expect(b.equals(a)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collectorsPerTest, verifyDataDir as verify, type CollectorHandle } from '../../test/helpers/collector.js';
import { connectRaw, journalRecords, newestSegment } from '../../test/helpers/raw-client.js';

const { start: collector, track } = collectorsPerTest();

/** Fills a collector with `n` acked events and kills it with SIGKILL. */
async function filledAndKilled(n: number): Promise<CollectorHandle> {
  const c = await collector();
  const bot = await connectRaw(c.ingestUrl);
  bot.sendRange(1, n, 100);
  await bot.waitForAck(n);
  await bot.close();
  await c.kill('SIGKILL');
  return c;
}

describe('journal recovery and tamper evidence', () => {
  it('cuts a torn last line off, keeps its bytes aside, and the chain still verifies', async () => {
    const c = await filledAndKilled(300);
    const file = newestSegment(c.dataDir);
    const full = readFileSync(file);
    const lines = full.toString('utf8').split('\n').filter(Boolean);
    const lastStart = full.length - Buffer.byteLength(lines.at(-1)!) - 1;
    const cut = lastStart + 37; // in the middle of the last record
    truncateSync(file, cut);
    const again = track(await c.restart());
    const aside = readdirSync(join(c.dataDir, 'journal')).filter((n) => n.includes('.torn-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(c.dataDir, 'journal', aside[0]!))).toEqual(full.subarray(lastStart, cut));
    expect(statSync(file).size).toBe(lastStart);
    expect(journalRecords(c.dataDir)).toHaveLength(lines.length - 1);
    expect(again.output()).toMatch(/torn last line; bytes kept in/);
    const health = (await (await fetch(`${again.httpUrl}/healthz`)).json()) as Record<string, any>;
    expect(health.journal.torn_files).toHaveLength(1);
    // New events chain on from the last complete record.
    const bot = await connectRaw(again.ingestUrl);
    bot.sendRange(1, 10, 10);
    await bot.waitForAck(10);
    await bot.close();
    const v = verify(c.dataDir);
    expect(v.out).toContain('OK');
    expect(v.status).toBe(0);
  });

  it('cuts a tear in the middle of a UTF-8 sequence just the same', async () => {
    const c = await collector();
    const bot = await connectRaw(c.ingestUrl);
    bot.send({
      type: 'events',
      events: [{ seq: 1, event_type: 'x', event_description: 'prix €€€ ✓✓✓', timestamp: 1 }],
    });
    await bot.waitForAck(1);
    await bot.close();
    await c.kill('SIGKILL');
    const file = newestSegment(c.dataDir);
    const bytes = readFileSync(file);
    const euro = bytes.lastIndexOf(Buffer.from('€'));
    truncateSync(file, euro + 1);
    track(await c.restart());
    expect(verify(c.dataDir).status).toBe(0);
    expect(journalRecords(c.dataDir).every((r) => r['event_description'] !== 'prix €€€ ✓✓✓')).toBe(true);
  });

  it('names the edited record when one byte of a middle record changes', async () => {
    const c = await filledAndKilled(50);
    const file = newestSegment(c.dataDir);
    const lines = readFileSync(file, 'utf8').split('\n');
    const victim = JSON.parse(lines[20]!) as { id: number };
    lines[20] = lines[20]!.replace('"event_description":"event ', '"event_description":"evenT ');
    expect(lines[20]).toContain('evenT');
    writeFileSync(file, lines.join('\n'));
    const v = verify(c.dataDir);
    expect(v.status).toBe(1);
    expect(v.out).toContain(`BROKEN at record ${victim.id}`);
    // The collector still starts, and says so.
    const again = track(await c.restart());
    const health = (await (await fetch(`${again.httpUrl}/healthz`)).json()) as Record<string, any>;
    expect(health.status).toBe('degraded');
    expect(health.integrity).toMatchObject({ ok: false, first_bad_id: victim.id });
  });

  it('detects a deleted record', async () => {
    const c = await filledAndKilled(30);
    const file = newestSegment(c.dataDir);
    const lines = readFileSync(file, 'utf8').split('\n');
    const deleted = JSON.parse(lines[10]!) as { id: number };
    lines.splice(10, 1);
    writeFileSync(file, lines.join('\n'));
    const v = verify(c.dataDir);
    expect(v.status).toBe(1);
    expect(v.out).toContain(`BROKEN at record ${deleted.id + 1}`);
  });

  it('verify exits 2 on a usage error', () => {
    const r = spawnSync(process.execPath, [CLI, 'verify', '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});

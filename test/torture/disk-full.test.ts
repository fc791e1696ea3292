/**
 * Disk full: the data dir lives on a 1 MiB tmpfs the test mounts (root only; CI runs as root). The collector must
 * stop acking and say so, the bot keeps buffering, and when space returns delivery resumes with nothing lost.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditNotifier } from '@ic-audit/client';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, startCollector, type CollectorHandle } from '../helpers/collector.js';
import { journalRecords } from '../helpers/raw-client.js';

function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'ic-audit-mnt-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status === 0;
  if (ok) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return ok;
}
const mountable = canMount();
if (!mountable) console.warn('disk-full torture skipped: needs root and tmpfs mounts');

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!mountable)('disk full', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('stops acking while writes fail, reports it, and loses nothing once space returns', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'ic-audit-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    cleanup.push(() => {
      spawnSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    });
    const c: CollectorHandle = await startCollector({ dataDir: join(mnt, 'data') });
    cleanup.push(() => c.close());
    const bot = new AuditNotifier({ projectName: 'FullDisk', projectMarket: 'FX', url: c.ingestUrl });
    cleanup.push(() => bot.close(2_000).then(() => undefined));
    const N = 3_000;
    for (let i = 1; i <= N; i++) bot.send('trade_opened', `event ${i}`, { i, pad: 'x'.repeat(600) });

    // ~2 MB of records cannot fit in 1 MiB: the journal fails, the collector says so and stops acking.
    let health: Record<string, any> = {};
    await until(async () => {
      health = (await (await fetch(`${c.httpUrl}/healthz`)).json()) as Record<string, any>;
      return health['journal'].writable === false;
    }, 'the journal to report the failed write');
    expect(health['status']).toBe('degraded');
    expect(health['journal'].error).toMatch(/ENOSPC|no space/i);
    const ackedWhileFull = bot.stats().acked;
    expect(ackedWhileFull).toBeLessThan(N + 1);
    // Everything acked so far is on disk (nothing is acked that was not written).
    const onDisk = journalRecords(c.dataDir).filter((r) => r['project_name'] === 'FullDisk' && r['seq'] > 0);
    expect(onDisk.length).toBeGreaterThanOrEqual(ackedWhileFull);

    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    expect(await bot.flush(60_000)).toBe(true);
    const stats = bot.stats();
    expect(stats).toMatchObject({ acked: N + 1, dropped: 0 });

    const stored = journalRecords(c.dataDir).filter((r) => r['project_name'] === 'FullDisk' && r['seq'] > 0);
    expect(stored.map((r) => r['seq'])).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));
    expect(journalRecords(c.dataDir).filter((r) => r['event_type'] === 'ic-audit.gap')).toHaveLength(0);
    await until(async () => ((await (await fetch(`${c.httpUrl}/healthz`)).json()) as Record<string, any>)['status'] === 'ok', 'health ok');
    const v = spawnSync(process.execPath, [CLI, 'verify', '--data-dir', c.dataDir], { encoding: 'utf8' });
    expect(v.stdout).toContain('OK');
  });
});

/**
 * Disk full: the data dir lives on a 1 MiB tmpfs the test mounts (root only; CI runs as root). The collector must
 * stop acking and say so, the bot keeps buffering, and when space returns delivery resumes with nothing lost.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditNotifier } from '@ic-audit/client';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, startCollector, type CollectorHandle } from '../helpers/collector.js';
import { journalRecords, readJournal } from '../helpers/raw-client.js';
import { straceUsable, straceWrap } from '../helpers/strace.js';
import { newestSegment, report } from './torture-kit.js';

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

  // Second run: the first ftruncate that should cut a failed write back fails too (strace injects EIO), so the
  // journal must cut the segment back when it reopens it, not adopt the torn bytes and append after them.
  const variants = [
    { name: 'stops acking while writes fail, reports it, and loses nothing once space returns', wrap: undefined },
    {
      name: 'the same when cutting a failed write back fails once (strace: ftruncate EIO)',
      wrap: straceUsable
        ? straceWrap('/dev/null', '--seccomp-bpf', '-e', 'trace=ftruncate', '-e', 'inject=ftruncate:error=EIO:when=1')
        : null,
    },
  ];
  it.each(variants)('$name', async ({ wrap }) => {
    if (wrap === null) return void console.warn('skipped: needs strace');
    const mnt = mkdtempSync(join(tmpdir(), 'ic-audit-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    cleanup.push(() => {
      spawnSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    });
    const c: CollectorHandle = await startCollector({
      dataDir: join(mnt, 'data'),
      ...(wrap === undefined ? {} : { wrap }),
    });
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
    // Everything acked so far is on disk (nothing is acked that was not written). The journal keeps retrying the
    // failed batch meanwhile: a retry's short write sits on the segment until ftruncate cuts it back, so a reader
    // may see a torn last line; only that one, and only while the journal still says it cannot write.
    const whileFull = readJournal(c.dataDir, { allowTornTail: true });
    const stillFull =
      ((await (await fetch(`${c.httpUrl}/healthz`)).json()) as Record<string, any>)['journal'].writable === false;
    const onDisk = (stillFull ? whileFull.records : journalRecords(c.dataDir)).filter(
      (r) => r['project_name'] === 'FullDisk' && r['seq'] > 0,
    );
    expect(onDisk.length).toBeGreaterThanOrEqual(ackedWhileFull);
    report('disk-full', {
      acked_while_full: ackedWhileFull,
      on_disk_while_full: onDisk.length,
      torn_tail_seen: whileFull.tornTail !== null,
    });

    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    expect(await bot.flush(60_000)).toBe(true);
    const stats = bot.stats();
    expect(stats).toMatchObject({ acked: N + 1, dropped: 0 });

    const stored = journalRecords(c.dataDir).filter((r) => r['project_name'] === 'FullDisk' && r['seq'] > 0);
    expect(stored.map((r) => r['seq'])).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));
    expect(journalRecords(c.dataDir).filter((r) => r['event_type'] === 'ic-audit.gap')).toHaveLength(0);
    await until(
      async () => ((await (await fetch(`${c.httpUrl}/healthz`)).json()) as Record<string, any>)['status'] === 'ok',
      'health ok',
    );
    const v = spawnSync(process.execPath, [CLI, 'verify', '--data-dir', c.dataDir], { encoding: 'utf8' });
    expect(v.stdout).toContain('OK');
  });

  it('a kill -9 while a failed write is still on the segment keeps no partial line as a record', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'ic-audit-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    cleanup.push(() => {
      spawnSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    });
    const dataDir = join(mnt, 'data');
    // The short write of a failed batch normally lives for microseconds before ftruncate cuts it back. strace
    // holds every ftruncate for 2 s on entry, so the kill lands while the torn bytes are on the segment.
    const traced = await startCollector({
      dataDir,
      keepDataDir: true,
      wrap: [
        'strace',
        '-f',
        '-qq',
        '--seccomp-bpf',
        '-o',
        '/dev/null',
        '-e',
        'trace=ftruncate',
        '-e',
        'inject=ftruncate:delay_enter=2000000',
      ],
    });
    cleanup.push(() => traced.kill().then(() => undefined));
    const bot = new AuditNotifier({ projectName: 'KilledFull', projectMarket: 'FX', url: traced.ingestUrl });
    cleanup.push(() => bot.close(2_000).then(() => undefined));
    const N = 3_000;
    for (let i = 1; i <= N; i++) bot.send('trade_opened', `event ${i}`, { i, pad: 'x'.repeat(600) });

    const tornOnDisk = (): boolean => {
      if (!readdirSync(join(dataDir, 'journal')).some((n) => n.endsWith('.jsonl'))) return false;
      const bytes = readFileSync(newestSegment(dataDir));
      return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a;
    };
    await until(tornOnDisk, 'a failed write to leave a torn line on the segment', 30_000);
    await traced.kill('SIGKILL');
    const ackedAtKill = bot.stats().acked;
    const atKill = readJournal(dataDir, { allowTornTail: true });
    expect(atKill.tornTail, 'the kill landed before ftruncate').not.toBeNull();
    const seqsAtKill = atKill.records
      .filter((r) => r['project_name'] === 'KilledFull' && r['seq'] > 0)
      .map((r) => r['seq'] as number);
    expect(seqsAtKill.slice(0, ackedAtKill)).toEqual(Array.from({ length: ackedAtKill }, (_, k) => k + 1));

    // Space returns; the next start must cut the torn line into a .torn- file, byte for byte, and chain on.
    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    const c = await startCollector({ dataDir, port: traced.port, keepDataDir: true });
    cleanup.push(() => c.close());
    expect(c.output()).toMatch(/torn last line; bytes kept in/);
    const journalDir = join(dataDir, 'journal');
    const aside = readdirSync(journalDir).filter((n) => n.includes('.torn-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(journalDir, aside[0]!), 'utf8')).toBe(atKill.tornTail!.text);
    const restarted = journalRecords(dataDir);
    expect(restarted).toHaveLength(atKill.records.length);

    expect(await bot.flush(60_000)).toBe(true);
    expect(bot.stats()).toMatchObject({ acked: N + 1, dropped: 0 });
    const stored = journalRecords(dataDir).filter((r) => r['project_name'] === 'KilledFull' && r['seq'] > 0);
    expect(stored.map((r) => r['seq'])).toEqual(Array.from({ length: N + 1 }, (_, i) => i + 1));
    expect(journalRecords(dataDir).filter((r) => r['event_type'] === 'ic-audit.gap')).toHaveLength(0);
    const v = spawnSync(process.execPath, [CLI, 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(v.stdout).toContain('OK');
    report('disk-full-kill', {
      acked_at_kill: ackedAtKill,
      records_at_kill: seqsAtKill.length,
      torn_bytes: Buffer.byteLength(atKill.tornTail!.text),
    });
  });
});

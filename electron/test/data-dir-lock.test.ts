import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LOCK_FILE, lockHolder, ownerAlive, parseLockFile, processStart } from '../src/settings/data-dir-lock.js';
import { CLI, startCollector, tempDataDir } from '../../test/helpers/collector.js';

/** A temp data dir removed after the test. */
function dir(): string {
  const d = tempDataDir();
  onTestFinished(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/**
 * Runs `ic-audit serve` on `dataDir` and resolves with how it ended up: listening (left running; stopped after the
 * test) or refused (its output).
 */
function serveOnce(dataDir: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onTestFinished(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      await gone;
    });
    let out = '';
    const onData = (c: Buffer): void => {
      out += c.toString();
      if (/console\s+http/.test(out)) resolve('listening');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => resolve(out));
  });
}

describe('data-dir lock', () => {
  it('reads its owner from the lock file and knows a live process from a dead or reused pid', () => {
    expect(parseLockFile('123 456\n')).toEqual({ pid: 123, start: '456' });
    expect(parseLockFile('123')).toEqual({ pid: 123, start: '' });
    expect(parseLockFile('x')).toBeNull();
    const me = processStart(process.pid)!;
    expect(me.zombie).toBe(false);
    expect(ownerAlive({ pid: process.pid, start: me.start })).toBe(true);
    // Same pid, another start time: a later process that got the dead owner's pid.
    expect(ownerAlive({ pid: process.pid, start: String(Number(me.start) + 1) })).toBe(false);
    expect(ownerAlive({ pid: 2 ** 22 + 17, start: '' })).toBe(false);
  });

  it('a restart right after kill -9 succeeds, even while the dead collector is an unreaped zombie', async () => {
    const d = dir();
    // The collector's parent execs into `sleep`, which never reaps it: after kill -9 it stays a zombie.
    const first = await startCollector({
      dataDir: d,
      keepDataDir: true,
      wrap: ['sh', '-c', '"$@" & exec sleep 120', 'sh'],
    });
    onTestFinished(() => void first.child.kill('SIGKILL'));
    const pid = first.pid();
    expect(Number(readFileSync(join(d, LOCK_FILE), 'utf8').split(' ')[0])).toBe(pid);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 500 && processStart(pid)?.zombie !== true; i++) await new Promise((r) => setTimeout(r, 10));
    expect(processStart(pid)?.zombie).toBe(true);
    expect(lockHolder(d)).toBeNull();
    const second = await startCollector({ dataDir: d, keepDataDir: true });
    expect(lockHolder(d)).toBe(second.pid());
    await second.close();
  });

  it('a lock file naming a live process of another start time (a reused pid) does not block', async () => {
    const d = dir();
    writeFileSync(join(d, LOCK_FILE), `${process.pid} 1`);
    const c = await startCollector({ dataDir: d, keepDataDir: true });
    await c.close();
  });

  it('two collectors starting at the same moment on one data dir: exactly one wins, the other says why', async () => {
    for (let round = 0; round < 5; round++) {
      const d = dir();
      const results = await Promise.all([serveOnce(d), serveOnce(d), serveOnce(d)]);
      expect(
        results.filter((r) => r === 'listening'),
        results.join('\n---\n'),
      ).toHaveLength(1);
      for (const r of results.filter((x) => x !== 'listening')) expect(r).toMatch(/another collector .*is using/);
    }
  });
});

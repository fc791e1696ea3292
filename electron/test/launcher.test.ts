import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planLaunch } from '../src/app/launcher.js';
import { tempDataDir } from '../../test/helpers/collector.js';

const START = resolve(import.meta.dirname, '../dist/app/start.js');
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** A stand-in for the Electron binary (the real runtime cannot be downloaded here): prints its argv and exits. */
function fakeElectron(exitCode: number, sleepSeconds = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-electron-'));
  const bin = join(dir, 'electron');
  const wait = sleepSeconds > 0 ? `sleep ${sleepSeconds}\n` : '';
  writeFileSync(bin, `#!/bin/sh\necho "FAKE-ELECTRON $@"\n${wait}exit ${exitCode}\n`);
  chmodSync(bin, 0o755);
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return bin;
}

/** Runs `npm start`'s entry with `env`; resolves when `until` matches the output (then stops it) or it exits. */
function start(env: Record<string, string | undefined>, until: RegExp): Promise<{ out: string; code: number | null }> {
  const dataDir = tempDataDir();
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const base = { ...process.env };
  delete base['DISPLAY'];
  delete base['WAYLAND_DISPLAY'];
  const child = spawn(process.execPath, [START, '--port', '0', '--data-dir', dataDir], {
    env: { ...base, ...env },
  });
  let out = '';
  let stopped = false;
  return new Promise((res) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      if (!stopped && until.test(out)) {
        stopped = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => res({ out, code }));
  });
}

describe('launch plan', () => {
  const noInstall = (): string => 'offline';
  it('takes Electron when a display and the runtime exist', () => {
    expect(planLaunch({ DISPLAY: ':0', IC_AUDIT_ELECTRON: START }, 'linux', noInstall)).toEqual({
      mode: 'electron',
      binary: START,
    });
  });
  it('runs headless without a display, or when the runtime is missing and cannot be fetched', () => {
    expect(planLaunch({ IC_AUDIT_ELECTRON: START }, 'linux', noInstall)).toMatchObject({
      mode: 'headless',
      reason: expect.stringMatching(/no display/),
    });
    expect(planLaunch({ DISPLAY: ':0', IC_AUDIT_ELECTRON: 'none' }, 'linux', noInstall)).toMatchObject({
      mode: 'headless',
      reason: expect.stringMatching(/not installed and could not be fetched \(offline\)/),
    });
    expect(planLaunch({ IC_AUDIT_ELECTRON: 'none' }, 'darwin', noInstall).mode).toBe('headless');
  });
  it('tries the installer exactly once when the runtime is missing', () => {
    let tries = 0;
    planLaunch({ DISPLAY: ':0', IC_AUDIT_ELECTRON: 'none' }, 'linux', () => (tries++, 'offline'));
    expect(tries).toBe(1);
  });
});

describe('npm start (real child processes)', () => {
  it('launches the Electron runtime when it is present, passing the flags through', async () => {
    const bin = fakeElectron(0);
    // Stopped only if it falls back to headless: the fake exits by itself, so no SIGTERM races its `exit 0`.
    const r = await start({ DISPLAY: ':99', IC_AUDIT_ELECTRON: bin }, /running headless/);
    expect(r.out, r.out).toMatch(
      /FAKE-ELECTRON --js-flags=--max-semi-space-size=64 .*shell\/main\.js.*--port 0 --data-dir/,
    );
    expect(r.code).toBe(0);
  });

  it('a stop passed on to Electron ends the launcher: no headless fallback', async () => {
    const r = await start({ DISPLAY: ':99', IC_AUDIT_ELECTRON: fakeElectron(0, 30) }, /FAKE-ELECTRON/);
    expect(r.out, r.out).not.toMatch(/running headless/);
    expect(r.code).not.toBe(0);
  });

  it('falls back to headless when the runtime is missing and the installer fails, and serves /healthz', async () => {
    const failing = join(mkdtempSync(join(tmpdir(), 'installer-')), 'install.js');
    writeFileSync(failing, "console.error('RequestError: getaddrinfo ENOTFOUND github.com'); process.exit(1);");
    cleanup.push(() => rmSync(resolve(failing, '..'), { recursive: true, force: true }));
    const r = await new Promise<{ out: string }>((res) => {
      void start(
        { DISPLAY: ':99', IC_AUDIT_ELECTRON: 'none', IC_AUDIT_ELECTRON_INSTALLER: failing },
        /console\s+http:\/\/127\.0\.0\.1:(\d+)\//,
      ).then(res);
    });
    expect(r.out).toMatch(
      /running headless: the Electron runtime is not installed and could not be fetched \(RequestError: getaddrinfo ENOTFOUND/,
    );
    const port = /console\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(r.out)![1];
    expect(port).toBeDefined();
    // The process was stopped once the URL printed; start it again and probe /healthz while it runs.
    const dataDir = tempDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [START, '--port', '0', '--data-dir', dataDir], {
      env: { ...process.env, DISPLAY: '', IC_AUDIT_ELECTRON: 'none' },
    });
    let out = '';
    await new Promise<void>((res) => child.stdout.on('data', (d) => ((out += d), /console\s+http/.test(out) && res())));
    const p = /console\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)![1];
    const h = (await (await fetch(`http://127.0.0.1:${p}/healthz`)).json()) as { status: string };
    child.kill('SIGTERM');
    await new Promise((res) => child.on('exit', res));
    expect(h.status).toBe('ok');
  });

  it('runs headless with the reason when there is no display', async () => {
    const r = await start({ IC_AUDIT_ELECTRON: fakeElectron(0) }, /console\s+http/);
    expect(r.out).toMatch(/running headless: no display/);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/FAKE-ELECTRON/);
    expect(r.code).toBe(0);
  });

  it('falls back to headless when Electron dies right after starting', async () => {
    const r = await start({ DISPLAY: ':99', IC_AUDIT_ELECTRON: fakeElectron(1) }, /console\s+http/);
    expect(r.out).toMatch(/FAKE-ELECTRON/);
    expect(r.out).toMatch(/running headless: Electron exited with code 1/);
  });
});

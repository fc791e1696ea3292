import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IpcChannels } from '@ic-audit/shared';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { registerIpcHandlers, senderAllowed, type IpcDeps, type IpcEventLike } from '../src/shell/ipc-handlers.js';
import { consoleWindowOptions, navigationAllowed, permissionAllowed } from '../src/shell/window-options.js';

describe('console window options', () => {
  it("sets every hardening flag of Electron's security checklist", () => {
    const o = consoleWindowOptions('/app/preload.cjs');
    expect(o.webPreferences).toEqual({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
    });
  });

  it('allows navigation only within the console origin, and only the notification permission', () => {
    const own = 'http://127.0.0.1:9324';
    expect(navigationAllowed('http://127.0.0.1:9324/?x=1', own)).toBe(true);
    expect(navigationAllowed('http://127.0.0.1:9325/', own)).toBe(false);
    expect(navigationAllowed('https://evil.example/', own)).toBe(false);
    expect(navigationAllowed('file:///etc/passwd', own)).toBe(false);
    expect(navigationAllowed('not a url', own)).toBe(false);
    expect(permissionAllowed('notifications')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen'])
      expect(permissionAllowed(p)).toBe(false);
  });
});

/** Electron's ipcMain cannot run here: this fake records handlers so they can be invoked like Electron would. */
type Handler = (e: IpcEventLike, ...a: unknown[]) => unknown;
function fakeIpc(): {
  handlers: Map<string, Handler>;
  handle(c: string, f: Handler): void;
  removeHandler(c: string): void;
} {
  const handlers = new Map<string, Handler>();
  return { handlers, handle: (c, f) => void handlers.set(c, f), removeHandler: (c) => void handlers.delete(c) };
}

describe('IPC handlers', () => {
  const origin = 'http://127.0.0.1:9324';
  const calls: string[] = [];
  const root = mkdtempSync(join(tmpdir(), 'ipc-'));
  const dumpsDir = join(root, 'dumps');
  mkdirSync(dumpsDir);
  writeFileSync(join(dumpsDir, 'd.csv'), 'x');
  writeFileSync(join(root, 'secret'), 'x');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const deps: IpcDeps = {
    windowContentsId: () => 7,
    consoleOrigin: origin,
    dumpsDir,
    askSavePath: (name) => Promise.resolve(`/chosen/${name}`),
    copyFile: (from, to) => Promise.resolve(void calls.push(`copy ${from} -> ${to}`)),
    reveal: (p) => void calls.push(`reveal ${p}`),
    notify: (t, b) => (calls.push(`notify ${t}: ${b}`), true),
    appInfo: () => ({ version: '0.1.0', dataDir: '/d', platform: 'linux', electron: '45' }),
  };
  const own: IpcEventLike = { sender: { id: 7 }, senderFrame: { url: `${origin}/` } };

  it('refuses every channel from a foreign sender, frame or origin', async () => {
    const ipc = fakeIpc();
    registerIpcHandlers(ipc, deps);
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(IpcChannels).sort());
    const foreign: IpcEventLike[] = [
      { sender: { id: 8 }, senderFrame: { url: `${origin}/` } },
      { sender: { id: 7 }, senderFrame: { url: 'https://evil.example/' } },
      { sender: { id: 7 }, senderFrame: null },
    ];
    for (const event of foreign) {
      expect(senderAllowed(event, deps)).toBe(false);
      for (const [channel, handler] of ipc.handlers) {
        await expect(
          Promise.resolve().then(() => handler(event, {})),
          channel,
        ).rejects.toMatchObject({ code: 'E_FORBIDDEN_SENDER' });
      }
    }
    expect(calls).toEqual([]);
  });

  it('serves the console window: save dump through the dialog, reveal, notify, app info', async () => {
    const ipc = fakeIpc();
    const unregister = registerIpcHandlers(ipc, deps);
    const save = ipc.handlers.get(IpcChannels.SAVE_DUMP)!;
    expect(await save(own, join(dumpsDir, 'd.csv'), '../../etc/dumped_audit_trails.csv')).toBe(
      '/chosen/dumped_audit_trails.csv',
    );
    expect(calls[0]).toMatch(/^copy .*dumps\/d\.csv -> \/chosen\/dumped_audit_trails\.csv$/);
    // Only files inside the dumps folder may be copied out.
    for (const outside of [join(root, 'secret'), join(dumpsDir, '..', 'secret'), '/etc/passwd', 42]) {
      await expect(Promise.resolve().then(() => save(own, outside, 'x.json'))).rejects.toMatchObject({
        code: 'E_BAD_DUMP',
      });
    }
    expect(calls).toHaveLength(1);
    expect(await ipc.handlers.get(IpcChannels.REVEAL_FILE)!(own, '/tmp/x.json')).toBe(true);
    expect(await ipc.handlers.get(IpcChannels.REVEAL_FILE)!(own, 42)).toBe(false);
    expect(await ipc.handlers.get(IpcChannels.NOTIFY)!(own, 'Bot', 'error')).toBe(true);
    expect(await ipc.handlers.get(IpcChannels.APP_INFO)!(own)).toMatchObject({ version: '0.1.0' });
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});

describe('electron-builder.yml', () => {
  it('parses, names the app and every platform target, and ships only built output', () => {
    const cfg = parse(readFileSync(resolve(import.meta.dirname, '../../electron-builder.yml'), 'utf8')) as Record<
      string,
      any
    >;
    expect(cfg['appId']).toBe('com.ic-audit.console');
    expect(cfg['productName']).toBe('ic-audit');
    expect(cfg['linux'].target).toEqual(['AppImage', 'deb']);
    expect(cfg['win'].target).toEqual(['nsis']);
    expect(cfg['mac'].target).toEqual(['dmg']);
    expect(cfg['extraMetadata'].main).toBe('dist/shell/main.js');
    const files = cfg['files'] as string[];
    for (const excluded of ['!**/test/**', '!**/*.test.*', '!**/bench/**', '!src/**', '!dist/**/*.map'])
      expect(files).toContain(excluded);
    expect(
      files.every((f) => f.startsWith('!') || f.startsWith('dist/') || f.startsWith('assets/') || f === 'package.json'),
    ).toBe(true);
    const appDir = resolve(import.meta.dirname, '../../', cfg['directories'].app);
    expect(JSON.parse(readFileSync(resolve(appDir, 'package.json'), 'utf8')).name).toBe('@ic-audit/console');
    expect(
      readFileSync(resolve(import.meta.dirname, '../../', cfg['icon']))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });
});

/**
 * The desktop app end to end, driven by Playwright's Electron support: the window opens on the console, a bot's
 * events appear, and Dump goes through the preload to the native save dialog (stubbed in the main process, the one
 * place a fake is allowed). Runs wherever the Electron runtime is installed and a display exists; elsewhere it is
 * reported as skipped, with the reason printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { findElectronBinary, hasDisplay } from '../src/app/launcher.js';
import { connectRaw, hello } from '../../test/helpers/raw-client.js';

const binary = findElectronBinary();
const why =
  binary === null
    ? 'the Electron runtime is not installed here (npm start would fetch it where the internet is reachable)'
    : !hasDisplay()
      ? 'no display (set DISPLAY, e.g. under xvfb-run)'
      : null;
if (why !== null) console.warn(`electron e2e skipped: ${why}`);

describe.skipIf(why !== null)('desktop app (Electron)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ic-audit-electron-'));
  let app: ElectronApplication | null = null;
  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens the console, shows live events, and dumps through the preload', async () => {
    const main = resolve(import.meta.dirname, '../dist/shell/main.js');
    const extra = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    app = await _electron.launch({
      executablePath: binary!,
      args: [main, ...extra, '--port', '0', '--data-dir', dataDir],
    });
    const page = await app.firstWindow();
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//);
    const port = new URL(page.url()).port;
    // The page gets no Node: the preload bridge holds named functions only.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((globalThis as { icAudit?: object }).icAudit ?? {}).sort())).toEqual([
      'appInfo',
      'notify',
      'revealFile',
      'saveDump',
    ]);

    const bot = await connectRaw(`ws://127.0.0.1:${port}/ingest`, {
      hello: hello('electron-e2e-session', 'DesktopBot'),
    });
    bot.send({
      type: 'events',
      events: [{ seq: 1, event_type: 'boot', event_description: 'Project was booted.', timestamp: Date.now() / 1000 }],
    });
    await bot.waitForAck(1);
    await page.locator('.project-name', { hasText: 'DesktopBot' }).waitFor();

    const out = join(dataDir, 'saved-dump.json');
    await app.evaluate(({ dialog }, file) => {
      dialog.showSaveDialog = () => Promise.resolve({ canceled: false, filePath: file });
    }, out);
    await page.locator('#dump-button').click();
    await page.locator('[data-testid="dump-status"]', { hasText: 'Saved' }).waitFor();
    expect(existsSync(out)).toBe(true);
    const dump = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Array<Record<string, unknown>>>;
    expect(dump['DesktopBot']![0]).toMatchObject({ event_type: 'boot', project_market: 'FOREX' });
    await bot.close();
  });
});

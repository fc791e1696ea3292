// Electron main process: the thin shell around the same collector `ic-audit serve` runs. Only this folder imports
// 'electron'; everything it calls is plain Node and tested without Electron.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  safeStorage,
  session,
  shell,
  Tray,
  nativeImage,
} from 'electron';
import { copyFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DUMPS_DIR } from '../dump/dump-writer.js';
import { dirname, join, resolve } from 'node:path';
import { parseServeFlags } from '../app/cli-args.js';
import { DEFAULTS, resolveConfig } from '../settings/config.js';
import { defaultConfigDir, keyFileFor } from '../integrity/signing-key.js';
import { ensureSettingsFile, readSettingsFile, settingsPath, withSettings } from '../app/settings-file.js';
import { SafeStorageKeyStore } from './safe-storage-key-store.js';
import { DataDirError } from '../settings/data-dir.js';
import { startCollector } from '../app/start-collector.js';
import type { RunningCollector } from '../app/running.js';
import { makeConsole } from '../app/console-factory.js';
import { keepTlsFresh } from '../app/tls-reload.js';
import { consoleUrlFor, registerDeepLinks } from './deep-link.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { consoleWindowOptions, navigationAllowed, permissionAllowed } from './window-options.js';

const here = dirname(fileURLToPath(import.meta.url));
let running: RunningCollector | null = null;
let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;
/** Console origin once the window shows it: `ic-audit://` links then navigate the window (deep-link.ts). */
let consoleOrigin: string | null = null;
/** A link the app was started with (or that came before the window): opened on first load. */
let takeLink: () => string | null = () => null;

function fatal(title: string, message: string): void {
  dialog.showErrorBox(title, message);
  app.exit(2);
}

async function boot(): Promise<void> {
  let config;
  try {
    // Settings: the command line, then the settings file (the desktop app's settings), then IC_AUDIT_* variables.
    const file = readSettingsFile(settingsPath(defaultConfigDir()));
    config = resolveConfig(withSettings(file, parseServeFlags(process.argv.slice(1))));
  } catch (err) {
    return fatal('ic-audit: bad setting', (err as Error).message);
  }
  try {
    // The signing key is sealed by the OS keychain; `--key-file` keeps the headless 0600 file instead.
    const keyStore =
      config.keyFile !== null
        ? null
        : new SafeStorageKeyStore(safeStorage, `${keyFileFor(config, DEFAULTS.dataDir)}.sealed`);
    running = await startCollector(config, makeConsole, keyStore);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      return fatal(
        'ic-audit: port busy',
        `Port ${config.port} on ${config.host} is already in use (is another ic-audit running?).`,
      );
    }
    if (e instanceof DataDirError) return fatal('ic-audit: data folder', e.message);
    return fatal('ic-audit could not start', e.message);
  }
  const r = running;
  // A renewed certificate (SIGHUP, or its files changing) serves new connections without restarting the app.
  keepTlsFresh(config, r, { info: (m) => console.log(`ic-audit: ${m}`), warn: (m) => console.warn(`ic-audit: ${m}`) });
  const origin = new URL(r.consoleUrl).origin;
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => cb(permissionAllowed(permission)));
  session.defaultSession.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));

  win = new BrowserWindow(consoleWindowOptions(join(here, 'preload.cjs'), { devTools: !app.isPackaged }));
  const contents = win.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (e, url) => {
    if (!navigationAllowed(url, origin)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!navigationAllowed(url, origin)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => (win = null));

  registerIpcHandlers(ipcMain, {
    windowContentsId: () => (win === null ? null : win.webContents.id),
    consoleOrigin: origin,
    askSavePath: async (defaultName) => {
      const res = await dialog.showSaveDialog(win!, { title: 'Save audit dump', defaultPath: defaultName });
      return res.canceled || !res.filePath ? null : res.filePath;
    },
    dumpsDir: join(r.collector.dataDir, DUMPS_DIR),
    copyFile: (from, to) => copyFile(from, to),
    reveal: (path) => shell.showItemInFolder(path),
    notify: (title, body) => {
      if (!Notification.isSupported()) return false;
      new Notification({ title, body }).show();
      return true;
    },
    appInfo: () => ({
      version: r.collector.version,
      dataDir: r.collector.dataDir,
      platform: process.platform,
      electron: process.versions.electron ?? '',
    }),
  });
  buildMenu(r);
  buildTray(r);
  const link = takeLink();
  await win.loadURL((link !== null ? consoleUrlFor(link, r.consoleUrl) : null) ?? r.consoleUrl);
  consoleOrigin = origin;
}

async function dumpWithDialog(r: RunningCollector): Promise<void> {
  const res = await dialog.showSaveDialog({
    title: 'Save audit dump (last 30 h)',
    defaultPath: 'dumped_audit_trails.json',
  });
  if (res.canceled || !res.filePath) return;
  const d = await r.collector.dump({ out: res.filePath });
  shell.showItemInFolder(d.path);
}

function buildMenu(r: RunningCollector): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      {
        label: 'ic-audit',
        submenu: [
          { label: 'Dump last 30 hours…', accelerator: 'CmdOrCtrl+D', click: () => void dumpWithDialog(r) },
          { label: 'Open data folder', click: () => void shell.openPath(r.collector.dataDir) },
          {
            // The same flags as `ic-audit serve` (host, TLS, tokens...), read at the next start.
            label: 'Settings… (applied at next start)',
            click: () => void shell.openPath(ensureSettingsFile(settingsPath(defaultConfigDir()))),
          },
          {
            label: 'Verify integrity',
            click: () =>
              void r.collector
                .verify()
                .then((v) =>
                  dialog.showMessageBox({ type: v.ok ? 'info' : 'warning', message: v.message, title: 'Integrity' }),
                ),
          },
          { type: 'separator' },
          { role: 'quit' },
        ],
      },
      { role: 'editMenu' },
      { role: 'viewMenu' },
    ]),
  );
}

function buildTray(r: RunningCollector): void {
  try {
    tray = new Tray(
      nativeImage.createFromPath(join(here, '..', '..', 'assets', 'icon.png')).resize({ width: 16, height: 16 }),
    );
  } catch {
    return; // No tray on this desktop.
  }
  const refresh = (): void => {
    const sessions = r.collector.sessions();
    const connected = sessions.filter((s) => s.connected).length;
    const errors = sessions.reduce((n, s) => n + s.errors, 0);
    tray?.setToolTip(`ic-audit: ${connected} bots connected, ${errors} errors`);
  };
  refresh();
  setInterval(refresh, 2_000).unref();
  tray.on('click', () => win?.show());
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  takeLink = registerDeepLinks(
    app,
    {
      consoleBase: () => (win !== null && consoleOrigin !== null ? `${consoleOrigin}/` : null),
      navigate: (url) => {
        void win?.loadURL(url);
        win?.show();
      },
      devEntry: process.defaultApp
        ? { execPath: process.execPath, script: resolve(process.argv[1] ?? '.') }
        : undefined,
    },
    process.argv,
  );
  app.on('web-contents-created', (_e, contents) => contents.setWindowOpenHandler(() => ({ action: 'deny' })));
  app.on('before-quit', (e) => {
    if (quitting || running === null) return;
    // Commit the journal before the process goes.
    e.preventDefault();
    quitting = true;
    void running.stop().finally(() => app.exit(0));
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(boot);
}

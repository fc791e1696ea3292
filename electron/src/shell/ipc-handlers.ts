import { realpathSync } from 'node:fs';
import { basename, sep } from 'node:path';
import { IpcChannels, type AppInfo, type IpcChannel, type IpcHandlers } from '@ic-audit/shared';

/** The part of an IPC event the handlers look at (Electron's IpcMainInvokeEvent). */
export interface IpcEventLike {
  sender: { id: number };
  senderFrame?: { url: string } | null;
}

/** The part of Electron's ipcMain the handlers use. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** What the handlers need from the app (Electron's dialog/shell/Notification and the collector). */
export interface IpcDeps {
  /** webContents id of the console window: the only sender accepted. */
  windowContentsId(): number | null;
  /** The console's own origin (http://127.0.0.1:PORT). */
  consoleOrigin: string;
  /** The collector's dumps folder: the only place saveDump copies from. */
  dumpsDir: string;
  askSavePath(defaultName: string): Promise<string | null>;
  copyFile(from: string, to: string): Promise<void>;
  reveal(path: string): void;
  notify(title: string, body: string): boolean;
  appInfo(): AppInfo;
}

/** An IPC call refused; the renderer sees the rejection with its stable `code`. */
export class IpcError extends Error {
  constructor(
    readonly code: 'E_FORBIDDEN_SENDER' | 'E_BAD_DUMP',
    message: string,
  ) {
    super(message);
  }
}

/** True when an IPC message comes from the console window showing the console's own origin. */
export function senderAllowed(event: IpcEventLike, deps: Pick<IpcDeps, 'windowContentsId' | 'consoleOrigin'>): boolean {
  const id = deps.windowContentsId();
  if (id === null || event.sender.id !== id) return false;
  const url = event.senderFrame?.url;
  if (url === undefined || url === null) return false;
  try {
    return new URL(url).origin === deps.consoleOrigin;
  } catch {
    return false;
  }
}

/**
 * The real path of a dump the renderer asks to save, or null unless it is a file inside the dumps folder: the page
 * crosses a trust boundary and must not be able to copy out any other file.
 */
export function dumpSource(path: unknown, dumpsDir: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return null;
  try {
    const real = realpathSync(path);
    const dir = realpathSync(dumpsDir);
    return real.startsWith(dir + sep) ? real : null;
  } catch {
    return null;
  }
}

/** A safe default file name for the save dialog (no folders, sensible extension). */
export function suggestedFileName(name: unknown): string {
  const base =
    typeof name === 'string'
      ? basename(name)
          .replace(/[^\w.\- ]/g, '_')
          .slice(0, 100)
      : '';
  return /\.(json|ndjson|csv)$/.test(base) ? base : 'dumped_audit_trails.json';
}

/** Registers every preload channel on `ipc`; each handler first checks the sender. Returns an unregister function. */
export function registerIpcHandlers(ipc: IpcMainLike, deps: IpcDeps): () => void {
  // Typed against IpcContract: each handler takes the contract's number of untrusted arguments and must return the
  // contract's result; a channel without a handler (or a handler without a channel) does not compile.
  const handlers: IpcHandlers = {
    [IpcChannels.SAVE_DUMP]: async (source, name) => {
      const from = dumpSource(source, deps.dumpsDir);
      if (from === null) throw new IpcError('E_BAD_DUMP', 'saveDump: not a dump written by this collector');
      const to = await deps.askSavePath(suggestedFileName(name));
      if (to === null) return null;
      await deps.copyFile(from, to);
      return to;
    },
    [IpcChannels.REVEAL_FILE]: (path) => {
      if (typeof path !== 'string' || path.length === 0) return false;
      deps.reveal(path);
      return true;
    },
    [IpcChannels.NOTIFY]: (title, body) => deps.notify(String(title).slice(0, 200), String(body).slice(0, 1000)),
    [IpcChannels.APP_INFO]: () => deps.appInfo(),
  };
  for (const [channel, handler] of Object.entries(handlers) as Array<[IpcChannel, (...a: unknown[]) => unknown]>) {
    ipc.handle(channel, (event, ...args) => {
      if (!senderAllowed(event, deps))
        throw new IpcError('E_FORBIDDEN_SENDER', 'IPC message from a foreign sender refused');
      return handler(...args);
    });
  }
  return () => {
    for (const channel of Object.keys(handlers)) ipc.removeHandler(channel);
  };
}

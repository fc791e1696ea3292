/**
 * The Electron preload bridge, typed once: channel names and the shape of each call. The preload exposes exactly
 * these functions as `window.icAudit`; the main process registers exactly these handlers.
 */

/** IPC channel names (renderer -> main, invoke/handle). */
export const IpcChannels = {
  SAVE_DUMP: 'ic-audit:save-dump',
  REVEAL_FILE: 'ic-audit:reveal-file',
  NOTIFY: 'ic-audit:notify',
  APP_INFO: 'ic-audit:app-info',
} as const;

/** Any IPC channel name. */
export type IpcChannel = (typeof IpcChannels)[keyof typeof IpcChannels];

/** Where the user saved a dump the collector wrote, or null when they cancelled. */
export type SaveDumpResult = string | null;

/** About the running app. */
export interface AppInfo {
  version: string;
  dataDir: string;
  platform: string;
  electron: string;
}

/** Arguments and result of each channel. */
export interface IpcContract {
  'ic-audit:save-dump': { args: [sourcePath: string, suggestedName: string]; result: SaveDumpResult };
  'ic-audit:reveal-file': { args: [string]; result: boolean };
  'ic-audit:notify': { args: [string, string]; result: boolean };
  'ic-audit:app-info': { args: []; result: AppInfo };
}

/** Fails to compile unless IpcChannels and IpcContract name exactly the same channels. */
type SameChannels<A, B> = [Exclude<A, B>, Exclude<B, A>] extends [never, never] ? true : never;
/** Compile-time check only (see SameChannels). */
export const CONTRACT_COVERS_CHANNELS: SameChannels<IpcChannel, keyof IpcContract> = true;

/** Every argument of a call, each unknown until the handler checks it (the renderer is not trusted). */
type Unknowns<T> = { [I in keyof T]: unknown };

/** One handler per channel: the contract's number of untrusted arguments in, the contract's result out. */
export type IpcHandlers = {
  [K in IpcChannel]: (
    ...args: Unknowns<IpcContract[K]['args']>
  ) => IpcContract[K]['result'] | Promise<IpcContract[K]['result']>;
};

/** Calls channel K with its contract's arguments (the preload's `ipcRenderer.invoke`, typed). */
export type IpcInvoke = <K extends IpcChannel>(
  channel: K,
  ...args: IpcContract[K]['args']
) => Promise<IpcContract[K]['result']>;

/** `window.icAudit` in the Electron window (absent in a plain browser). */
export interface PreloadApi {
  /** Native save dialog for a dump the collector wrote at `sourcePath` (inside its dumps folder); copies it there. */
  saveDump(sourcePath: string, suggestedName: string): Promise<SaveDumpResult>;
  revealFile(path: string): Promise<boolean>;
  notify(title: string, body: string): Promise<boolean>;
  appInfo(): Promise<AppInfo>;
}

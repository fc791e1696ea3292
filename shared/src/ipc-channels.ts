/**
 * The Electron preload bridge, typed once: channel names and the shape of each call. The preload exposes exactly
 * these functions as `window.icAudit`; the main process registers exactly these handlers.
 */

/** IPC channel names (renderer -> main, invoke/handle). */
export const IpcChannels = {
  SAVE_DUMP: 'ic-audit:save-dump',
  REVEAL_FILE: 'ic-audit:reveal-file',
  SHOW_DUMP: 'ic-audit:show-dump',
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
  'ic-audit:show-dump': { args: [path: string]; result: boolean };
  'ic-audit:notify': { args: [string, string]; result: boolean };
  'ic-audit:app-info': { args: []; result: AppInfo };
}

/** `window.icAudit` in the Electron window (absent in a plain browser). */
export interface PreloadApi {
  /** Native save dialog for a dump the collector wrote at `sourcePath` (inside its dumps folder); copies it there. */
  saveDump(sourcePath: string, suggestedName: string): Promise<SaveDumpResult>;
  revealFile(path: string): Promise<boolean>;
  /**
   * Shows a dump in the file manager (the dump toast's "show in folder"): only a file in the collector's dumps
   * folder or one this window saved through {@link saveDump}; false for any other path.
   */
  showDump(path: string): Promise<boolean>;
  notify(title: string, body: string): Promise<boolean>;
  appInfo(): Promise<AppInfo>;
}

// Preload for the console window (sandboxed: bundled to CommonJS by the build, may only import 'electron').
// Exposes named functions only; the renderer never sees ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { IpcChannels, type PreloadApi } from '@ic-audit/shared';

const api: PreloadApi = {
  saveDump: (sourcePath, suggestedName) => ipcRenderer.invoke(IpcChannels.SAVE_DUMP, sourcePath, suggestedName),
  revealFile: (path) => ipcRenderer.invoke(IpcChannels.REVEAL_FILE, path),
  showDump: (path) => ipcRenderer.invoke(IpcChannels.SHOW_DUMP, path),
  notify: (title, body) => ipcRenderer.invoke(IpcChannels.NOTIFY, title, body),
  appInfo: () => ipcRenderer.invoke(IpcChannels.APP_INFO),
};

contextBridge.exposeInMainWorld('icAudit', api);

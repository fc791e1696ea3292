// Preload for the console window (sandboxed: bundled to CommonJS by the build, may only import 'electron').
// Exposes named functions only; the renderer never sees ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { IpcChannels, type IpcInvoke, type PreloadApi } from '@ic-audit/shared';

// Typed once here: each call below is checked against IpcContract (arguments and result).
const invoke = ipcRenderer.invoke.bind(ipcRenderer) as IpcInvoke;

const api: PreloadApi = {
  saveDump: (sourcePath, suggestedName) => invoke(IpcChannels.SAVE_DUMP, sourcePath, suggestedName),
  revealFile: (path) => invoke(IpcChannels.REVEAL_FILE, path),
  notify: (title, body) => invoke(IpcChannels.NOTIFY, title, body),
  appInfo: () => invoke(IpcChannels.APP_INFO),
};

contextBridge.exposeInMainWorld('icAudit', api);

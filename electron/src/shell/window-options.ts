/**
 * BrowserWindow options for the console window, as plain data so every hardening flag is unit-tested without
 * Electron (Electron's security checklist: isolation, sandbox, no Node in the page, web security on).
 */

/** The subset of Electron's BrowserWindowConstructorOptions this app sets. */
export interface ConsoleWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  backgroundColor: string;
  title: string;
  show: boolean;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: true;
    sandbox: true;
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    webSecurity: true;
    allowRunningInsecureContent: false;
    webviewTag: false;
    experimentalFeatures: false;
    navigateOnDragDrop: false;
    spellcheck: false;
    devTools: boolean;
  };
}

/** Options for the console window; `preload` is the absolute path of the built preload script. */
export function consoleWindowOptions(preload: string, opts: { devTools?: boolean } = {}): ConsoleWindowOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 560,
    backgroundColor: '#0d1117',
    title: 'ic-audit',
    show: false,
    autoHideMenuBar: false,
    webPreferences: {
      preload,
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
      devTools: opts.devTools ?? false,
    },
  };
}

/** Only the console's own origin may be shown in the window; every other navigation is refused. */
export function navigationAllowed(target: string, consoleOrigin: string): boolean {
  try {
    return new URL(target).origin === consoleOrigin;
  } catch {
    return false;
  }
}

/** Permission requests from the page: only notifications are granted. */
export function permissionAllowed(permission: string): boolean {
  return permission === 'notifications';
}

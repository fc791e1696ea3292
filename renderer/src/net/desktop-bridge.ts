import type { PreloadApi } from '@ic-audit/shared';

/**
 * Functions the Electron preload exposes as `window.icAudit` (shared/src/ipc-channels.ts); a plain browser has
 * none, so each is feature-detected and the renderer works the same without them.
 */
export type DesktopBridge = Partial<PreloadApi>;

/** The preload bridge when running inside the desktop app. */
export function desktop(): DesktopBridge | undefined {
  return (globalThis as { icAudit?: DesktopBridge }).icAudit;
}

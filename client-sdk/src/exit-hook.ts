/** Something that wants a last chance to deliver when the process is about to exit. */
export interface ExitFlusher {
  /** Starts a bounded flush when there is anything new to deliver; must never throw. */
  exitFlush(): void;
}

const live = new Set<ExitFlusher>();
let hooked = false;

function onBeforeExit(): void {
  for (const n of live) n.exitFlush();
}

/**
 * Registers a notifier for the best-effort flush on `beforeExit`. One process listener serves every notifier,
 * so many notifiers never trigger a MaxListeners warning (which would be console output).
 */
export function registerExitFlush(n: ExitFlusher): void {
  live.add(n);
  if (hooked) return;
  const p = (globalThis as { process?: { on?: (event: string, fn: () => void) => void } }).process;
  if (typeof p?.on !== 'function') return;
  p.on('beforeExit', onBeforeExit);
  hooked = true;
}

/** Unregisters a closed notifier. */
export function unregisterExitFlush(n: ExitFlusher): void {
  live.delete(n);
}

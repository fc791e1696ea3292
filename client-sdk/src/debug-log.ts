/** Stable codes of the conditions the SDK reports when `debug` is on (one stderr line per code, ever). */
export const DebugCodes = {
  /** A connection attempt failed (collector down, refused, timeout). */
  E_CONNECT: 'E_CONNECT',
  /** The collector refused a frame; `message` carries its error code. */
  E_REFUSED: 'E_REFUSED',
  /** The buffer was full: the oldest unacked events were dropped. */
  E_DROPPED: 'E_DROPPED',
  /** A value could not be serialized even after sanitizing (should never happen). */
  E_SERIALIZE: 'E_SERIALIZE',
  /** The URL or WebSocket implementation is unusable. */
  E_CONFIG: 'E_CONFIG',
  /** An unexpected internal failure was swallowed. */
  E_INTERNAL: 'E_INTERNAL',
} as const;

/** One of {@link DebugCodes}. */
export type DebugCode = keyof typeof DebugCodes;

/** Reports a condition; prints at most once per code and only when debug is on. */
export type DebugLog = (code: DebugCode, message: string) => void;

/** Builds a {@link DebugLog}: silent unless `debug`, then one stderr line per code. */
export function createDebugLog(debug: boolean): DebugLog {
  if (!debug) return () => {};
  const seen = new Set<string>();
  return (code, message) => {
    if (seen.has(code)) return;
    seen.add(code);
    try {
      console.error(`[ic-audit] ${code}: ${message}`);
    } catch {
      // A closed stderr must not turn a debug line into a crash.
    }
  };
}

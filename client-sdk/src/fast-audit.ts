import { DEFAULTS } from './defaults.js';
import { AuditNotifier } from './notifier.js';
import type { AuditNotifierOptions } from './options.js';

/** Options of {@link fastAudit}: the notifier's options plus the overall bound. */
export interface FastAuditOptions extends Partial<
  Omit<AuditNotifierOptions, 'projectName' | 'projectMarket' | 'projectDescription'>
> {
  /** Longest wait for the ack (default DEFAULTS.fastAuditTimeoutMs). */
  timeoutMs?: number;
}

/**
 * The seed's one-liner: declares the project (its boot event carries `description` as the project description)
 * and resolves true once the collector acked it, false when it did not within `timeoutMs`. Never rejects; the
 * connection is torn down right after, so a script that does nothing else exits at once.
 */
export async function fastAudit(
  projectName: string,
  market: string,
  description: string,
  options?: FastAuditOptions,
): Promise<boolean> {
  try {
    const o = typeof options === 'object' && options !== null ? options : {};
    const timeoutMs =
      typeof o.timeoutMs === 'number' && Number.isFinite(o.timeoutMs) && o.timeoutMs >= 0
        ? o.timeoutMs
        : DEFAULTS.fastAuditTimeoutMs;
    const notifier = new AuditNotifier({
      ...o,
      projectName,
      projectMarket: market,
      projectDescription: description,
      // One event: send it now, do not wait for a batch tick.
      flushIntervalMs: 0,
    });
    return await notifier.close(timeoutMs);
  } catch {
    return false;
  }
}

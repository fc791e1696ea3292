/**
 * Reconnect delay for the `attempt`-th consecutive failure (0-based): capped exponential backoff with full jitter,
 * `random() * min(capMs, baseMs * 2^attempt)`. Full jitter spreads many bots restarting against one collector.
 * Pure: `random` is injectable so tests can pin it.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const n = attempt > 0 ? Math.floor(Math.min(attempt, 1023)) : 0;
  const base = Number.isFinite(baseMs) && baseMs > 0 ? baseMs : 0;
  const cap = Number.isFinite(capMs) && capMs > 0 ? capMs : 0;
  // 2^n overflows past 1023; the cap is reached long before that.
  const ceiling = Math.min(cap, base * Math.pow(2, n));
  let r = random();
  if (!(r >= 0)) r = 0;
  if (r >= 1) r = 0.999999;
  return Math.floor(r * ceiling);
}

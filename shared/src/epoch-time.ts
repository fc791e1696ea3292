/** Latest timestamp JavaScript's Date can hold, in epoch seconds (8.64e15 ms: the year 275760). */
export const MAX_DATE_SECONDS = 8.64e12;

/**
 * The Date of an epoch-seconds timestamp, or null when Date cannot hold it: the collector accepts any finite,
 * non-negative number a bot sends (as the Python tool did), so whoever shows one as a date must have a fallback.
 */
export function epochDate(epochSeconds: number): Date | null {
  return Number.isFinite(epochSeconds) && Math.abs(epochSeconds) <= MAX_DATE_SECONDS
    ? new Date(epochSeconds * 1000)
    : null;
}

/** ISO 8601 UTC of a timestamp, or the number itself when no date can show it. */
export function isoTimeOrNumber(epochSeconds: number): string {
  return epochDate(epochSeconds)?.toISOString() ?? String(epochSeconds);
}

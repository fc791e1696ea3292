import { MAX_DESCRIPTION_LENGTH, MAX_EVENT_TYPE_LENGTH } from '@ic-audit/shared';

/**
 * Cuts `s` to at most `max` characters, ending with a visible marker `…[+N chars]` (N = characters cut).
 * Never splits a surrogate pair. Strings already short enough are returned as they are.
 */
export function truncateString(s: string, max: number): string {
  if (s.length <= max) return s;
  // The marker's digit count is bounded by s.length's, so sizing it from s.length keeps the total within max.
  const markerMax = 4 + String(s.length).length + 6;
  if (max <= markerMax) return s.slice(0, pairSafeCut(s, Math.max(0, max)));
  const cut = pairSafeCut(s, max - markerMax);
  return s.slice(0, cut) + '…[+' + (s.length - cut) + ' chars]';
}

/** `cut`, or one less when cutting there would split a surrogate pair. */
function pairSafeCut(s: string, cut: number): number {
  const c = s.charCodeAt(cut - 1);
  return c >= 0xd800 && c <= 0xdbff ? cut - 1 : cut;
}

/** Any value as a string, never throwing (hostile toString, symbols, null-prototype objects). */
export function toText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'undefined':
      return '';
    case 'symbol':
      return v.description === undefined ? 'Symbol()' : `Symbol(${v.description})`;
    case 'object':
      if (v === null) return '';
      try {
        if (v instanceof Error) return `${String(v.name)}: ${String(v.message)}`;
        return String(v);
      } catch {
        return '[Unprintable]';
      }
    default:
      try {
        return String(v);
      } catch {
        return '[Unprintable]';
      }
  }
}

/**
 * A valid event type for any input: coerced to text (a string, "" and `ic-audit.…` included, is sent as it is: the
 * collector stores what the bot said and tells its own records apart by source), then cut to
 * MAX_EVENT_TYPE_LENGTH with the truncation marker.
 */
export function sanitizeEventType(v: unknown): string {
  const s = typeof v === 'string' ? v : toText(v);
  return s.length <= MAX_EVENT_TYPE_LENGTH ? s : truncateString(s, MAX_EVENT_TYPE_LENGTH);
}

/** A valid event description for any input: coerced to text, cut to MAX_DESCRIPTION_LENGTH with the marker. */
export function sanitizeDescription(v: unknown): string {
  const s = typeof v === 'string' ? v : toText(v);
  return s.length <= MAX_DESCRIPTION_LENGTH ? s : truncateString(s, MAX_DESCRIPTION_LENGTH);
}

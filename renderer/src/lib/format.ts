import { epochDate, objectMembers } from '@ic-audit/shared';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

let displayUtc = false;

/** Sets the zone times are shown in by default (the UTC / local switch; the prefs slice calls it). */
export function setDisplayUtc(utc: boolean): void {
  displayUtc = utc;
}

/** True when times are shown in UTC. */
export function isDisplayUtc(): boolean {
  return displayUtc;
}

function parts(
  epochSeconds: number,
  utc: boolean,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const t = new Date(Math.floor(epochSeconds * 1000));
  return utc
    ? {
        y: t.getUTCFullYear(),
        mo: t.getUTCMonth() + 1,
        d: t.getUTCDate(),
        h: t.getUTCHours(),
        mi: t.getUTCMinutes(),
        s: t.getUTCSeconds(),
      }
    : {
        y: t.getFullYear(),
        mo: t.getMonth() + 1,
        d: t.getDate(),
        h: t.getHours(),
        mi: t.getMinutes(),
        s: t.getSeconds(),
      };
}

/** Time with microseconds, `HH:MM:SS.uuuuuu`, in the display zone (the date is in the tooltip). */
export function formatTime(epochSeconds: number, utc = displayUtc): string {
  if (epochDate(epochSeconds) === null) return String(epochSeconds); // past any date: show what the bot sent
  const p = parts(epochSeconds, utc);
  const micros = Math.round((((epochSeconds * 1e6) % 1e6) + 1e6) % 1e6);
  return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(Math.min(999_999, micros), 6)}`;
}

/** `YYYY-MM-DD` in the display zone. */
export function formatDate(epochSeconds: number, utc = displayUtc): string {
  if (epochDate(epochSeconds) === null) return '';
  const p = parts(epochSeconds, utc);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`;
}

/** Date and time in the display zone, for tooltips and the detail view (`Z` marks UTC). */
export function formatDateTime(epochSeconds: number, utc = displayUtc): string {
  return `${formatDate(epochSeconds, utc)} ${formatTime(epochSeconds, utc)}${utc ? 'Z' : ''}`;
}

/** Row time: the date joins the time when the rows shown span more than one day. */
export function formatRowTime(epochSeconds: number, withDate: boolean, utc = displayUtc): string {
  if (!withDate) return formatTime(epochSeconds, utc);
  return `${formatDate(epochSeconds, utc).slice(5)} ${formatTime(epochSeconds, utc)}`;
}

/** True when two instants fall on different calendar days in the display zone. */
export function spansDays(a: number, b: number, utc = displayUtc): boolean {
  return formatDate(a, utc) !== formatDate(b, utc);
}

/** Compact age: `4s`, `3m`, `2h`, `5d`. */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Signed milliseconds for a clock offset given in seconds. */
export function formatOffset(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  return `${ms >= 0 ? '+' : ''}${ms} ms`;
}

/** Thousands separators, no locale surprises. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const KEY_FIELD_LIMIT = 120;

/** A field value for display: strings without their quotes (escapes decoded), anything else exactly as sent. */
export function shownValue(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw;
  }
}

/**
 * `key=value` summary of a fields text for the table's last column, each value as sent (`250.0` stays `250.0`,
 * a bare NaN stays NaN); strings shown without their quotes.
 */
export function keyFields(fieldsText: string): string {
  if (fieldsText === '{}') return '';
  let out = '';
  for (const m of objectMembers(fieldsText, 0)) {
    out += (out === '' ? '' : '  ') + `${m.key}=${shownValue(fieldsText.slice(m.start, m.end))}`;
    if (out.length > KEY_FIELD_LIMIT) return out.slice(0, KEY_FIELD_LIMIT) + '…';
  }
  return out === '' ? fieldsText.slice(0, KEY_FIELD_LIMIT) : out;
}

/** CSS class suffix for an event type: predefined kinds get their own colour, the rest share one. */
export function typeKind(type: string, system = false): string {
  if (system) return 'system';
  switch (type) {
    case 'boot':
    case 'error':
    case 'trade_opened':
    case 'trade_closed':
    case 'unclassified_event':
      return type;
    default:
      return 'custom';
  }
}

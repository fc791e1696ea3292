import { objectMembers } from '@ic-audit/shared';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Local time with microseconds, `HH:MM:SS.uuuuuu` (the date is in the tooltip). */
export function formatTime(epochSeconds: number): string {
  const ms = Math.floor(epochSeconds * 1000);
  const d = new Date(ms);
  const micros = Math.round((epochSeconds * 1e6) % 1e6);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(Math.min(999_999, micros), 6)}`;
}

/** Local date and time, for tooltips and the detail view. */
export function formatDateTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatTime(epochSeconds)}`;
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

/**
 * `key=value` summary of a fields text for the table's last column, each value as sent (`250.0` stays `250.0`,
 * a bare NaN stays NaN); strings shown without their quotes.
 */
export function keyFields(fieldsText: string): string {
  if (fieldsText === '{}') return '';
  let out = '';
  for (const m of objectMembers(fieldsText, 0)) {
    const raw = fieldsText.slice(m.start, m.end);
    let text = raw;
    if (raw.startsWith('"')) {
      try {
        text = JSON.parse(raw) as string;
      } catch {
        /* shown as sent */
      }
    }
    out += (out === '' ? '' : '  ') + `${m.key}=${text}`;
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

import {
  checkFields,
  MAX_FIELD_KEY_LENGTH,
  MAX_FIELD_STRING_LENGTH,
  MAX_FIELDS_JSON_LENGTH,
  MAX_FIELDS_PER_EVENT,
  type EventFields,
} from '@ic-audit/shared';
import { sanitizeFields } from './sanitize-fields.js';
import { sanitizeDescription, sanitizeEventType } from './text.js';

/** Key of the fields an event gets when its own could not be stored even after sanitizing (never expected). */
export const UNSERIALIZABLE_KEY = '__unserializable__';

const EMPTY_FIELDS_JSON = '{}';

/**
 * Sanitizes `fields` and returns their JSON. As a last line of defence the result is checked with the collector's
 * own validator (shared checkFields); anything it would refuse is replaced by a marker so the frame is never lost.
 */
export function fieldsJson(fields: unknown, onError?: (rule: string) => void): string {
  if (fields === undefined || fields === null) return EMPTY_FIELDS_JSON;
  let flat: string | null = null;
  try {
    flat = flatJson(fields);
  } catch {
    // A throwing getter or proxy: the full path reads it defensively.
  }
  if (flat !== null) return flat;
  let clean: EventFields;
  let json: string;
  try {
    clean = sanitizeFields(fields);
    json = JSON.stringify(clean);
  } catch {
    return fallback('fields could not be serialized', onError);
  }
  if (json.length > MAX_FIELDS_JSON_LENGTH) return fallback('fields too long', onError);
  const rule = checkFields(clean);
  return rule === null ? json : fallback(rule, onError);
}

/**
 * Fast path for the common case, a plain object of a few primitives: when every value is a finite number, a
 * boolean, null or a short string and even a worst-case estimate (6 characters per string character) fits the
 * limits, JSON.stringify gives exactly what the full sanitizer would. Anything else returns null (full path).
 */
function flatJson(fields: unknown): string | null {
  if (typeof fields !== 'object' || Object.getPrototypeOf(fields) !== Object.prototype) return null;
  const o = fields as Record<string, unknown>;
  let count = 0;
  let cost = 2;
  for (const key in o) {
    if (++count > MAX_FIELDS_PER_EVENT || key.length > MAX_FIELD_KEY_LENGTH || key === '__proto__') return null;
    if (!Object.prototype.hasOwnProperty.call(o, key)) return null;
    const v = o[key];
    cost += key.length * 6 + 4;
    switch (typeof v) {
      case 'string':
        if (v.length > MAX_FIELD_STRING_LENGTH) return null;
        cost += v.length * 6 + 2;
        break;
      case 'number':
        if (!Number.isFinite(v)) return null;
        cost += 26;
        break;
      case 'boolean':
        cost += 5;
        break;
      default:
        if (v !== null) return null;
        cost += 4;
    }
  }
  return cost <= MAX_FIELDS_JSON_LENGTH ? JSON.stringify(o) : null;
}

function fallback(rule: string, onError?: (rule: string) => void): string {
  onError?.(rule);
  return JSON.stringify({ [UNSERIALIZABLE_KEY]: `[Unserializable: ${rule}]` });
}

/**
 * Wall-clock epoch seconds for a `performance.now()` reading, given `anchorMs` = Date.now() - performance.now(),
 * to the microsecond (finer digits are clock noise). Such a number prints as at most six decimals, which the
 * collector then keeps as sent instead of printing the double again for the journal line.
 */
export function toEpochSeconds(perfMs: number, anchorMs: number): number {
  const t = Math.round((anchorMs + perfMs) * 1000) / 1e6;
  return Number.isFinite(t) && t >= 0 ? t : Math.round(Date.now() * 1000) / 1e6;
}

/**
 * The JSON of the last string seen by one sanitizer: a bot sends the same few event types and descriptions over and
 * over, and this runs for every event. Strings only (any other value is coerced anew each time: its text may change).
 */
class LastJson {
  private last: string | null = null;
  private json = '';

  constructor(private readonly sanitize: (v: unknown) => string) {}

  of(v: unknown): string {
    if (typeof v === 'string' && v === this.last) return this.json;
    const json = JSON.stringify(this.sanitize(v));
    if (typeof v === 'string') {
      this.last = v;
      this.json = json;
    }
    return json;
  }
}

const typeJson = new LastJson(sanitizeEventType);
const descriptionJson = new LastJson(sanitizeDescription);

/** One wire event's JSON (`events[i]` of an events frame), every part sanitized. */
export function eventJson(
  seq: number,
  eventType: unknown,
  description: unknown,
  timestampSeconds: number,
  fields: unknown,
  onError?: (rule: string) => void,
): string {
  return (
    '{"seq":' +
    seq +
    ',"event_type":' +
    typeJson.of(eventType) +
    ',"event_description":' +
    descriptionJson.of(description) +
    ',"timestamp":' +
    timestampSeconds +
    ',"fields":' +
    fieldsJson(fields, onError) +
    '}'
  );
}

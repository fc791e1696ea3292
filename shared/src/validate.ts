import {
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
  MAX_FIELD_DEPTH,
  MAX_FIELD_KEY_LENGTH,
  MAX_FIELD_STRING_LENGTH,
  MAX_FIELDS_JSON_LENGTH,
  MAX_FIELDS_PER_EVENT,
  MAX_PRIVILEGE_LENGTH,
  MAX_PRIVILEGES,
  MAX_PROJECT_DESCRIPTION_LENGTH,
  MAX_PROJECT_NAME_LENGTH,
} from './limits.js';
import type { EventFields, Privileges, ProjectInfo } from './protocol.js';

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a string of at most `max` characters (and at least `min`). */
export function isBoundedString(v: unknown, max: number, min = 0): v is string {
  return typeof v === 'string' && v.length <= max && v.length >= min;
}

/**
 * Checks a parsed `fields` object against the field limits. Returns null when fine, else the broken rule.
 * Walks the value once, summing an upper bound of its JSON length, so no second serialization is needed.
 */
export function checkFields(fields: unknown): string | null {
  if (!isObject(fields)) return 'fields must be an object';
  let count = 0;
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    count++;
    if (count > MAX_FIELDS_PER_EVENT) return `more than ${MAX_FIELDS_PER_EVENT} fields`;
    if (key.length > MAX_FIELD_KEY_LENGTH) return `field name longer than ${MAX_FIELD_KEY_LENGTH} characters`;
    if (key === '__proto__') return 'field name __proto__ is not allowed';
  }
  const size = measure(fields, 1);
  if (size < 0) return SIZE_ERRORS[-size - 1] ?? 'invalid field value';
  if (size > MAX_FIELDS_JSON_LENGTH) return `fields longer than ${MAX_FIELDS_JSON_LENGTH} characters as JSON`;
  return null;
}

const SIZE_ERRORS = [
  `fields nested deeper than ${MAX_FIELD_DEPTH}`,
  `a string in fields is longer than ${MAX_FIELD_STRING_LENGTH} characters`,
  'a value in fields is not JSON',
];

/** Approximate JSON length of v (upper bound for ASCII), or a negative error index into SIZE_ERRORS. */
function measure(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return v.length > MAX_FIELD_STRING_LENGTH ? -2 : v.length + 2;
    case 'number':
      // NaN and ±Infinity are kept (Python's json.dumps writes them); their exact text is stored, see raw-json.ts.
      return 24;
    case 'boolean':
      return 5;
    case 'object': {
      if (v === null) return 4;
      if (depth > MAX_FIELD_DEPTH) return -1;
      let total = 2;
      if (Array.isArray(v)) {
        for (const item of v) {
          const n = measure(item, depth + 1);
          if (n < 0) return n;
          total += n + 1;
          if (total > MAX_FIELDS_JSON_LENGTH) return total;
        }
        return total;
      }
      for (const key in v as Record<string, unknown>) {
        if (key.length > MAX_FIELD_STRING_LENGTH) return -2;
        const n = measure((v as Record<string, unknown>)[key], depth + 1);
        if (n < 0) return n;
        total += n + key.length + 4;
        if (total > MAX_FIELDS_JSON_LENGTH) return total;
      }
      return total;
    }
    default:
      return -3;
  }
}

/**
 * Checks an event type: any string up to the length limit, "" and the collector's own `ic-audit.` types included
 * (the Python server stored them; collector records are told apart by source). Returns the broken rule or null.
 */
export function checkEventType(v: unknown): string | null {
  return isBoundedString(v, MAX_EVENT_TYPE_LENGTH)
    ? null
    : `event_type must be a string of at most ${MAX_EVENT_TYPE_LENGTH} characters`;
}

/** Checks an event description: a bounded string, or null (stored as null, as the Python server kept it). */
export function checkDescription(v: unknown): string | null {
  return v === null || isBoundedString(v, MAX_DESCRIPTION_LENGTH)
    ? null
    : `event_description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters, or null`;
}

/** Checks an event timestamp (epoch seconds, finite, not negative). Returns the broken rule or null. */
export function checkTimestamp(v: unknown): string | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0
    ? null
    : 'timestamp must be a finite, non-negative number of epoch seconds';
}

/**
 * Reads seed privileges as sent: an array of strings and nulls (the Python client sends `[null]` when a bot
 * declared none, and that is what is stored), or a single string (the seed passed one), kept as a one-item list.
 * Absent means none. Returns the list or the broken rule.
 */
export function parsePrivileges(v: unknown): Privileges | string {
  if (v === undefined) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length > MAX_PRIVILEGES) {
    return `project_privileges must be a string or an array of at most ${MAX_PRIVILEGES} strings or nulls`;
  }
  for (const p of list) {
    if (p !== null && !isBoundedString(p, MAX_PRIVILEGE_LENGTH, 1)) {
      return `each privilege must be null or a string of 1 to ${MAX_PRIVILEGE_LENGTH} characters`;
    }
  }
  return list as Privileges;
}

/** The privileges that name something (nulls left out), for display and filters. */
export function namedPrivileges(list: Privileges): string[] {
  return list.filter((p): p is string => p !== null);
}

/** Parses project metadata (hello.project or a flat event's project keys). Returns it or the broken rule. */
export function parseProjectInfo(o: Record<string, unknown>): ProjectInfo | string {
  const name = o['project_name'];
  if (!isBoundedString(name, MAX_PROJECT_NAME_LENGTH, 1)) {
    return `project_name must be a string of 1 to ${MAX_PROJECT_NAME_LENGTH} characters`;
  }
  const market = o['project_market'] ?? '';
  if (!isBoundedString(market, MAX_PROJECT_NAME_LENGTH)) {
    return `project_market must be a string of at most ${MAX_PROJECT_NAME_LENGTH} characters`;
  }
  const description = o['project_description'] ?? '';
  if (!isBoundedString(description, MAX_PROJECT_DESCRIPTION_LENGTH)) {
    return `project_description must be a string of at most ${MAX_PROJECT_DESCRIPTION_LENGTH} characters`;
  }
  const privileges = parsePrivileges(o['project_privileges']);
  if (typeof privileges === 'string') return privileges;
  return {
    project_name: name,
    project_market: market,
    project_description: description,
    project_privileges: privileges,
  };
}

/** Narrowing helper for already-checked fields. */
export function asFields(v: unknown): EventFields {
  return v as EventFields;
}

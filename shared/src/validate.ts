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
  RESERVED_EVENT_PREFIX,
} from './limits.js';
import type { EventFields, ProjectInfo } from './protocol.js';

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
  'a number in fields is not finite',
  'a value in fields is not JSON',
];

/** Approximate JSON length of v (upper bound for ASCII), or a negative error index into SIZE_ERRORS. */
function measure(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return v.length > MAX_FIELD_STRING_LENGTH ? -2 : v.length + 2;
    case 'number':
      return Number.isFinite(v) ? 24 : -3;
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
      return -4;
  }
}

/** Checks an event type: non-empty, bounded, not reserved. Returns the broken rule or null. */
export function checkEventType(v: unknown): string | null {
  if (!isBoundedString(v, MAX_EVENT_TYPE_LENGTH, 1)) {
    return `event_type must be a string of 1 to ${MAX_EVENT_TYPE_LENGTH} characters`;
  }
  if (v.startsWith(RESERVED_EVENT_PREFIX)) return `event_type prefix "${RESERVED_EVENT_PREFIX}" is reserved`;
  return null;
}

/** Checks an event description. Returns the broken rule or null. */
export function checkDescription(v: unknown): string | null {
  return isBoundedString(v, MAX_DESCRIPTION_LENGTH)
    ? null
    : `event_description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`;
}

/** Checks an event timestamp (epoch seconds, finite, not negative). Returns the broken rule or null. */
export function checkTimestamp(v: unknown): string | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0
    ? null
    : 'timestamp must be a finite, non-negative number of epoch seconds';
}

/** Normalises seed privileges: a single string (the seed passed one) or an array of strings. */
export function parsePrivileges(v: unknown): string[] | string {
  if (v === undefined || v === null) return [];
  // The Python tool sends [null] when a bot declared no privilege: nulls mean "none".
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((p) => p !== null) : v;
  if (!Array.isArray(list) || list.length > MAX_PRIVILEGES) {
    return `project_privileges must be a string or an array of at most ${MAX_PRIVILEGES} strings`;
  }
  for (const p of list) {
    if (!isBoundedString(p, MAX_PRIVILEGE_LENGTH, 1)) {
      return `each privilege must be a string of 1 to ${MAX_PRIVILEGE_LENGTH} characters`;
    }
  }
  return list as string[];
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

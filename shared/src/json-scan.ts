/**
 * Reads one top-level value out of compact JSON text (as JSON.stringify writes it) without parsing the rest:
 * the console filters a million rows by `key=value`, and a full JSON.parse per row is what made that slow.
 */

import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE } from './json-chars.js';

/** What {@link topLevelValue} found. */
export type ScannedValue =
  | { kind: 'absent' }
  | { kind: 'string'; text: string }
  | { kind: 'literal'; text: string }
  /** Escapes, nested values or unusual input: parse the JSON instead. */
  | { kind: 'unknown' };

const ABSENT: ScannedValue = { kind: 'absent' };
const UNKNOWN: ScannedValue = { kind: 'unknown' };

/** Index just past the string starting at `i` (a quote), or -1 when it has an escape (the caller then gives up). */
function stringEnd(json: string, i: number): number {
  for (let j = i + 1; j < json.length; j++) {
    const c = json.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}

/** Index just past a nested object or array starting at `i`, skipping strings. */
function nestedEnd(json: string, i: number): number {
  let depth = 0;
  for (let j = i; j < json.length; j++) {
    const c = json.charCodeAt(j);
    if (c === QUOTE) {
      for (j++; j < json.length; j++) {
        const d = json.charCodeAt(j);
        if (d === BACKSLASH) j++;
        else if (d === QUOTE) break;
      }
    } else if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
    else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/**
 * The value of top-level `key` in the JSON object text `json`: absent, a string (its raw contents, when it has no
 * escapes), a literal (number, true, false, null), or unknown (anything the caller should parse to decide).
 */
export function topLevelValue(json: string, key: string): ScannedValue {
  if (json.charCodeAt(0) !== OPEN_OBJ) return UNKNOWN;
  let i = 1;
  while (i < json.length) {
    if (json.charCodeAt(i) === CLOSE_OBJ) return ABSENT;
    if (json.charCodeAt(i) !== QUOTE) return UNKNOWN;
    const keyEnd = stringEnd(json, i);
    if (keyEnd < 0 || json.charCodeAt(keyEnd) !== COLON) return UNKNOWN;
    const isKey = keyEnd - i - 2 === key.length && json.startsWith(key, i + 1);
    const v = keyEnd + 1;
    const c = json.charCodeAt(v);
    let end: number;
    if (c === QUOTE) {
      end = stringEnd(json, v);
      if (end < 0) return UNKNOWN;
      if (isKey) return { kind: 'string', text: json.slice(v + 1, end - 1) };
    } else if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (isKey) return UNKNOWN;
      end = nestedEnd(json, v);
      if (end < 0) return UNKNOWN;
    } else {
      end = v;
      while (end < json.length && json.charCodeAt(end) !== COMMA && json.charCodeAt(end) !== CLOSE_OBJ) end++;
      if (isKey) return { kind: 'literal', text: json.slice(v, end) };
    }
    const sep = json.charCodeAt(end);
    if (sep === CLOSE_OBJ) return ABSENT;
    if (sep !== COMMA) return UNKNOWN;
    i = end + 1;
  }
  return UNKNOWN;
}

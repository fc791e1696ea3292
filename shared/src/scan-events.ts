/**
 * The ingest hot path's reader of an `events` frame: one validating pass over the text that checks what the full
 * parser checks (JSON syntax, every event rule, the field limits) and takes each value's exact text, with no
 * JSON.parse and no objects for the fields. It only ever answers "valid, and here are the events": anything it is not
 * sure of (an escape or a control character anywhere in the frame, bare NaN / Infinity, a repeated key, a limit
 * reached, any error at all) returns null, and the caller runs the full parser (parse-client.ts), which decides and
 * names the error. So this can be fast without being a second definition of the protocol.
 */

import { CLOSE_ARR, CLOSE_OBJ, COLON, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE } from './json-chars.js';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENTS_PER_FRAME,
  MAX_FIELD_DEPTH,
  MAX_FIELD_KEY_LENGTH,
  MAX_FIELD_STRING_LENGTH,
  MAX_FIELDS_JSON_LENGTH,
  MAX_FIELDS_PER_EVENT,
} from './limits.js';
import type { Parsed, ReceivedEvent, ReceivedEventsFrame } from './protocol.js';
import { exactText } from './raw-json.js';

/** A frame holding any of these is left to the full parser: strings then may hold escapes, or be invalid. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const SLOW_CHARS = /[\u0000-\u001f\\]/;
const SPACE = 32;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
/** Largest integer a double holds exactly: decimal mantissas up to it convert exactly (see {@link numberAt}). */
const EXACT_INT = 2 ** 53;
/** Exact powers of ten as doubles (10^22 is the largest). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Most fraction digits whose text {@link canonicalText} keeps (six: 10^-6 is still written without an exponent). */
const MAX_KEPT_DECIMALS = 6;
const TWO_52 = 2 ** 52;

// The scanner is not re-entrant (nothing it calls scans), so results travel in module state instead of objects.
/** measure() (validate.ts) of the value just scanned: the field size limit's estimate. */
let size = 0;
/** Set when whitespace was skipped: the fields' exact text then needs compacting. */
let spaced = false;
/** The value of the number just read by {@link numberAt}. */
let num = 0;
/**
 * Fraction digits of the number just read when it is a plain decimal converted exactly (no sign, no exponent), else
 * -1: {@link canonicalText} decides from it whether its text is already how `String(num)` spells it.
 */
let plainDecimals = -1;

/**
 * The last string read for one key, decoded and as JSON: bots repeat a few event types and descriptions, so equal
 * text reuses these strings (fewer allocations, and the entries queued for the disk share them).
 */
class LastString {
  text = '';
  json = '""';

  /** The string between `start` and `end` (its quotes), when it differs from the last one. */
  read(frame: string, start: number, end: number): void {
    if (end - start === this.json.length && frame.startsWith(this.json, start)) return;
    this.json = frame.slice(start, end);
    this.text = frame.slice(start + 1, end - 1);
  }
}
const lastType = new LastString();
const lastDescription = new LastString();

/**
 * The events of a valid `events` frame, exactly as parseClientFrame would give them, or null when the frame is
 * anything else (another frame type, an error, or something this scanner leaves to the full parser).
 */
export function scanEventsFrame(text: string): Parsed<ReceivedEventsFrame> | null {
  if (SLOW_CHARS.test(text)) return null;
  let i = ws(text, 0);
  if (text.charCodeAt(i) !== OPEN_OBJ) return null;
  i = ws(text, i + 1);
  let events: ReceivedEvent[] | null = null;
  let typed = false;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return null;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return null;
    i = ws(text, keyEnd);
    if (text.charCodeAt(i) !== COLON) return null;
    i = ws(text, i + 1);
    if (isKey(text, keyEnd, 'type')) {
      if (typed || !text.startsWith('"events"', i)) return null;
      typed = true;
      i += 8;
    } else if (isKey(text, keyEnd, 'events')) {
      if (events !== null || text.charCodeAt(i) !== OPEN_ARR) return null;
      events = [];
      i = eventList(text, i, events);
    } else i = value(text, i, 2);
    if (i < 0) return null;
    i = ws(text, i);
    const c = text.charCodeAt(i);
    if (c === CLOSE_OBJ) break;
    if (c !== COMMA) return null;
    i = ws(text, i + 1);
  }
  if (ws(text, i + 1) !== text.length || !typed || events === null || events.length === 0) return null;
  return { ok: true, value: { type: 'events', events } };
}

/** Reads the events array at `i` (its `[`) into `out`; the index past it, or -1. */
function eventList(text: string, i: number, out: ReceivedEvent[]): number {
  i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  let lastSeq = 0;
  for (;;) {
    if (text.charCodeAt(i) !== OPEN_OBJ || out.length === MAX_EVENTS_PER_FRAME) return -1;
    i = event(text, i, out, lastSeq);
    if (i < 0) return -1;
    lastSeq = out[out.length - 1]!.seq;
    i = text.charCodeAt(i) === SPACE ? ws(text, i) : i;
    const c = text.charCodeAt(i);
    if (c === CLOSE_ARR) return i + 1;
    if (c !== COMMA) return -1;
    i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  }
}

const SEQ = 1;
const TYPE = 2;
const DESCRIPTION = 4;
const TIMESTAMP = 8;
const FIELDS = 16;
const EMPTY_FIELDS_JSON = '{}';

/** Reads one event object at `i` (its `{`) and appends it to `out`; the index past it, or -1. */
function event(text: string, i: number, out: ReceivedEvent[], lastSeq: number): number {
  let seen = 0;
  let seq = 0;
  let type = '';
  let typeJson = '';
  let description: string | null = null;
  let descriptionJson = 'null';
  let timestamp = 0;
  let timestampJson = '';
  let fieldsJson = EMPTY_FIELDS_JSON;
  i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  if (text.charCodeAt(i) === CLOSE_OBJ) return -1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return -1;
    const keyLength = keyEnd - i - 2;
    i = text.charCodeAt(keyEnd) === SPACE ? ws(text, keyEnd) : keyEnd;
    if (text.charCodeAt(i) !== COLON) return -1;
    const start = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
    let key = 0;
    if (keyLength === 3 && isKey(text, keyEnd, 'seq')) key = SEQ;
    else if (keyLength === 10 && isKey(text, keyEnd, 'event_type')) key = TYPE;
    else if (keyLength === 17 && isKey(text, keyEnd, 'event_description')) key = DESCRIPTION;
    else if (keyLength === 9 && isKey(text, keyEnd, 'timestamp')) key = TIMESTAMP;
    else if (keyLength === 6 && isKey(text, keyEnd, 'fields')) key = FIELDS;
    // The full parser keeps the last of a repeated key; leave that to it.
    if ((seen & key) !== 0) return -1;
    seen |= key;
    switch (key) {
      case SEQ:
        i = numberAt(text, start);
        if (i < 0 || !Number.isSafeInteger(num) || num < 1 || num <= lastSeq) return -1;
        seq = num;
        break;
      case TIMESTAMP:
        i = numberAt(text, start);
        if (i < 0 || !Number.isFinite(num) || !(num >= 0)) return -1;
        timestamp = num;
        timestampJson = canonicalText(text, i) ? text.slice(start, i) : String(num);
        break;
      case TYPE:
        i = stringEnd(text, start);
        if (i < 0 || i - start - 2 > MAX_EVENT_TYPE_LENGTH) return -1;
        lastType.read(text, start, i);
        type = lastType.text;
        typeJson = lastType.json;
        break;
      case DESCRIPTION:
        if (text.startsWith('null', start)) i = start + 4;
        else {
          i = stringEnd(text, start);
          if (i < 0 || i - start - 2 > MAX_DESCRIPTION_LENGTH) return -1;
          lastDescription.read(text, start, i);
          description = lastDescription.text;
          descriptionJson = lastDescription.json;
        }
        break;
      case FIELDS:
        if (text.charCodeAt(start) !== OPEN_OBJ) return -1;
        spaced = false;
        i = object(text, start, 1);
        if (i < 0 || size > MAX_FIELDS_JSON_LENGTH) return -1;
        fieldsJson = spaced ? exactText(text, start, i).json : text.slice(start, i);
        break;
      default:
        i = value(text, start, 2);
    }
    if (i < 0) return -1;
    i = text.charCodeAt(i) === SPACE ? ws(text, i) : i;
    const c = text.charCodeAt(i);
    if (c === CLOSE_OBJ) break;
    if (c !== COMMA) return -1;
    i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  }
  // seq, event_type, event_description and timestamp are required (fields may be left out).
  if ((seen | FIELDS) !== 31) return -1;
  out.push({
    seq,
    event_type: type,
    event_description: description,
    timestamp,
    fields_json: fieldsJson,
    fields_text: null,
    event_type_json: typeJson,
    event_description_json: descriptionJson,
    timestamp_json: timestampJson,
  });
  return i + 1;
}

/**
 * Checks the value at `i` (no whitespace before it) at nesting `depth` (fields' own object is 1) and sets
 * {@link size} to its measure; the index past it, or -1.
 */
function value(text: string, i: number, depth: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) {
    const end = stringEnd(text, i);
    if (end < 0 || end - i - 2 > MAX_FIELD_STRING_LENGTH) return -1;
    size = end - i;
    return end;
  }
  if (c === OPEN_OBJ) return object(text, i, depth);
  if (c === OPEN_ARR) return array(text, i, depth);
  if (c === 116 /* t */) return literal(text, i, 'true', 5);
  if (c === 102 /* f */) return literal(text, i, 'false', 5);
  if (c === 110 /* n */) return literal(text, i, 'null', 4);
  size = 24;
  return numberEnd(text, i);
}

function literal(text: string, i: number, word: string, measure: number): number {
  if (!text.startsWith(word, i)) return -1;
  size = measure;
  return i + word.length;
}

/** An object at `i` (its `{`); at depth 1 (the fields themselves) also the top-level key rules of checkFields. */
function object(text: string, i: number, depth: number): number {
  if (depth > MAX_FIELD_DEPTH) return -1;
  let total = 2;
  let count = 0;
  i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  if (text.charCodeAt(i) === CLOSE_OBJ) {
    size = total;
    return i + 1;
  }
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return -1;
    const keyLength = keyEnd - i - 2;
    if (keyLength > MAX_FIELD_STRING_LENGTH) return -1;
    if (depth === 1) {
      // Counted as written: a repeated key counts twice here, once in the parsed object, so this never passes
      // what checkFields would refuse (and refuses, to the full parser, a little more).
      if (++count > MAX_FIELDS_PER_EVENT || keyLength > MAX_FIELD_KEY_LENGTH) return -1;
      if (keyLength === 9 && isKey(text, keyEnd, '__proto__')) return -1;
    }
    i = text.charCodeAt(keyEnd) === SPACE ? ws(text, keyEnd) : keyEnd;
    if (text.charCodeAt(i) !== COLON) return -1;
    i = value(text, text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1, depth + 1);
    if (i < 0) return -1;
    // Summed as written, an upper bound of the parsed object's measure (a repeated key is counted once there).
    total += size + keyLength + 4;
    i = text.charCodeAt(i) === SPACE ? ws(text, i) : i;
    const c = text.charCodeAt(i);
    if (c === CLOSE_OBJ) {
      size = total;
      return i + 1;
    }
    if (c !== COMMA) return -1;
    i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  }
}

function array(text: string, i: number, depth: number): number {
  if (depth > MAX_FIELD_DEPTH) return -1;
  let total = 2;
  i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  if (text.charCodeAt(i) === CLOSE_ARR) {
    size = total;
    return i + 1;
  }
  for (;;) {
    i = value(text, i, depth + 1);
    if (i < 0) return -1;
    total += size + 1;
    i = text.charCodeAt(i) === SPACE ? ws(text, i) : i;
    const c = text.charCodeAt(i);
    if (c === CLOSE_ARR) {
      size = total;
      return i + 1;
    }
    if (c !== COMMA) return -1;
    i = text.charCodeAt(i + 1) === SPACE ? ws(text, i + 1) : i + 1;
  }
}

/**
 * Reads the JSON number at `i` into {@link num}; the index past it, or -1 when it is not one. A plain decimal of at
 * most 2^53 in its digits is converted here (digits / 10^k, both exact doubles, one correctly rounded division: the
 * same double Number() gives); anything else goes through Number().
 */
function numberAt(text: string, i: number): number {
  const start = i;
  plainDecimals = -1;
  let mantissa = 0;
  let exact = true;
  if (text.charCodeAt(i) === MINUS) {
    exact = false;
    i++;
  }
  let c = text.charCodeAt(i);
  if (c === ZERO) c = text.charCodeAt(++i);
  else if (c > ZERO && c <= NINE) {
    do {
      if (mantissa > (EXACT_INT - 9) / 10) exact = false;
      else mantissa = mantissa * 10 + (c - ZERO);
      c = text.charCodeAt(++i);
    } while (c >= ZERO && c <= NINE);
  } else return -1;
  let decimals = 0;
  if (c === DOT) {
    c = text.charCodeAt(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    do {
      if (mantissa > (EXACT_INT - 9) / 10) exact = false;
      else mantissa = mantissa * 10 + (c - ZERO);
      decimals++;
      c = text.charCodeAt(++i);
    } while (c >= ZERO && c <= NINE);
  }
  if (c === 101 /* e */ || c === 69 /* E */) {
    exact = false;
    c = text.charCodeAt(++i);
    if (c === 43 /* + */ || c === MINUS) c = text.charCodeAt(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = text.charCodeAt(++i);
    while (c >= ZERO && c <= NINE);
  }
  if (exact && decimals < POW10.length) {
    num = mantissa / POW10[decimals]!;
    plainDecimals = decimals;
  } else num = Number(text.slice(start, i));
  return i;
}

/** Index past the JSON number at `i`, or -1 when none starts there: a field's number is kept as text, not read. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === MINUS) i++;
  let c = text.charCodeAt(i);
  if (c === ZERO) c = text.charCodeAt(++i);
  else if (c > ZERO && c <= NINE) {
    do c = text.charCodeAt(++i);
    while (c >= ZERO && c <= NINE);
  } else return -1;
  if (c === DOT) {
    c = text.charCodeAt(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = text.charCodeAt(++i);
    while (c >= ZERO && c <= NINE);
  }
  if (c === 101 /* e */ || c === 69 /* E */) {
    c = text.charCodeAt(++i);
    if (c === 43 /* + */ || c === MINUS) c = text.charCodeAt(++i);
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = text.charCodeAt(++i);
    while (c >= ZERO && c <= NINE);
  }
  return i;
}

/**
 * True when the number just read (its text ending at `end`) is spelled as `String(num)` would spell it, so the
 * journal can keep the text instead of printing the double again (~140 ns a line). It must be a plain decimal D of
 * k <= 6 fraction digits, the last not 0, with num < 2^52 / 10^k: then num's neighbours lie less than 10^-k away, no
 * other decimal of k or fewer fraction digits rounds to num, and D is the shortest one that does, the digits
 * Number::toString picks (and 10^-6 <= num < 10^21, so without an exponent).
 */
function canonicalText(text: string, end: number): boolean {
  const k = plainDecimals;
  if (k < 0 || k > MAX_KEPT_DECIMALS || num >= TWO_52 / POW10[k]!) return false;
  return k === 0 || text.charCodeAt(end - 1) !== ZERO;
}

/** Index past the string at `i` (the frame has no escapes), or -1 when none starts there. */
function stringEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) return -1;
  const j = text.indexOf('"', i + 1);
  return j < 0 ? -1 : j + 1;
}

/** True when the key ending (quote included) at `keyEnd` is `name` (the frame has no escapes). */
function isKey(text: string, keyEnd: number, name: string): boolean {
  const at = keyEnd - name.length - 2;
  return text.charCodeAt(at) === QUOTE && text.startsWith(name, at + 1);
}

/**
 * Index of the first non-space at or after `i` (a frame with tabs or newlines never gets here). The per-event
 * loops test for a space first: compact frames have none, and the call costs more than the test (about 15% of a
 * frame's scan, measured).
 */
function ws(text: string, i: number): number {
  if (text.charCodeAt(i) !== SPACE) return i;
  spaced = true;
  do i++;
  while (text.charCodeAt(i) === SPACE);
  return i;
}

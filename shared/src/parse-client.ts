import { protocolError, type ProtocolError } from './errors.js';
import {
  DEFAULT_DUMP_HOURS,
  MAX_DUMP_HOURS,
  MAX_EVENTS_PER_FRAME,
  MAX_HELLO_STRING_LENGTH,
  MAX_PROJECT_NAME_LENGTH,
  MAX_REQUEST_ID_LENGTH,
  MAX_SESSION_LENGTH,
  MIN_SESSION_LENGTH,
  PROTOCOL_VERSION,
} from './limits.js';
import type {
  ClientFrame,
  DumpFrame,
  EventFields,
  ExactFields,
  HelloFrame,
  Parsed,
  ReceivedEvent,
  ReceivedEventsFrame,
} from './protocol.js';
import { MAX_FIELD_DEPTH } from './limits.js';
import { BACKSLASH, CLOSE_ARR, COMMA, OPEN_ARR, OPEN_OBJ, QUOTE } from './json-chars.js';
import { exactText, exactValue, LenientJsonError, parseLenient, skipValue, skipWs, stringEnd } from './raw-json.js';
import { scanEventsFrame } from './scan-events.js';
import {
  checkDescription,
  checkEventType,
  checkFields,
  checkTimestamp,
  isBoundedString,
  isObject,
  parseProjectInfo,
} from './validate.js';

const SESSION_RE = /^[A-Za-z0-9_-]+$/;
const EMPTY_EXACT: ExactFields = Object.freeze({ fields_json: '{}', fields_text: null });
/** Levels a frame adds around an event's fields: frame, events array, event. */
const FRAME_DEPTH = 3;

/**
 * Parses one JSON text into a value: natively, or, when that fails, as JSON that may hold Python's bare NaN /
 * Infinity / -Infinity (nesting bounded by `maxDepth`). E_BAD_JSON, or E_BAD_EVENT for nesting beyond the limit.
 */
export function parseJson(text: string, maxDepth = MAX_FIELD_DEPTH + FRAME_DEPTH): Parsed<unknown> | ProtocolError {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    try {
      return { ok: true, value: parseLenient(text, maxDepth) };
    } catch (err) {
      if (err instanceof LenientJsonError && err.code === 'E_TOO_DEEP') {
        return protocolError('E_BAD_EVENT', `fields nested deeper than ${MAX_FIELD_DEPTH}`);
      }
      return protocolError('E_BAD_JSON', 'frame is not valid JSON');
    }
  }
}

/** Parses a client frame received on /ingest: a typed frame or a stable error; fields keep their exact text. */
export function parseClientFrame(text: string): Parsed<ClientFrame> | ProtocolError {
  // A valid events frame, the bulk of all traffic, in one pass without JSON.parse; anything else the full way.
  const scanned = scanEventsFrame(text);
  if (scanned !== null) return scanned;
  const json = parseJson(text);
  if (!json.ok) return json;
  return parseClientValue(json.value, text);
}

/**
 * Same as {@link parseClientFrame} for an already-parsed JSON value. Without the frame's `text`, fields' exact
 * text is their JSON.stringify (for callers that never had text).
 */
export function parseClientValue(v: unknown, text?: string): Parsed<ClientFrame> | ProtocolError {
  if (!isObject(v)) return protocolError('E_BAD_FRAME', 'frame must be a JSON object');
  const type = v['type'];
  switch (type) {
    case 'hello':
      return parseHello(v);
    case 'events':
      return parseEvents(v, text);
    case 'dump':
      return parseDump(v);
    default:
      return protocolError('E_UNKNOWN_TYPE', `unknown frame type ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
}

/** Parses a hello frame's object. */
export function parseHello(v: Record<string, unknown>): Parsed<HelloFrame> | ProtocolError {
  if (v['v'] !== PROTOCOL_VERSION) {
    return protocolError('E_BAD_VERSION', `protocol version must be ${PROTOCOL_VERSION}`);
  }
  const session = v['session'];
  if (!isBoundedString(session, MAX_SESSION_LENGTH, MIN_SESSION_LENGTH) || !SESSION_RE.test(session)) {
    return protocolError(
      'E_BAD_HELLO',
      `session must be ${MIN_SESSION_LENGTH} to ${MAX_SESSION_LENGTH} characters of A-Z a-z 0-9 _ -`,
    );
  }
  const projectRaw = v['project'];
  if (!isObject(projectRaw)) return protocolError('E_BAD_HELLO', 'project must be an object');
  const project = parseProjectInfo(projectRaw);
  if (typeof project === 'string') return protocolError('E_BAD_HELLO', project);
  const sdk = v['sdk'] ?? 'unknown';
  const host = v['host'] ?? '';
  if (!isBoundedString(sdk, MAX_HELLO_STRING_LENGTH) || !isBoundedString(host, MAX_HELLO_STRING_LENGTH)) {
    return protocolError(
      'E_BAD_HELLO',
      `sdk and host must be strings of at most ${MAX_HELLO_STRING_LENGTH} characters`,
    );
  }
  const pid = v['pid'] ?? 0;
  const dropped = v['dropped'] ?? 0;
  if (!Number.isSafeInteger(pid) || (pid as number) < 0) {
    return protocolError('E_BAD_HELLO', 'pid must be a non-negative integer');
  }
  if (!Number.isSafeInteger(dropped) || (dropped as number) < 0) {
    return protocolError('E_BAD_HELLO', 'dropped must be a non-negative integer');
  }
  const token = v['token'];
  if (token !== undefined && !isBoundedString(token, MAX_HELLO_STRING_LENGTH)) {
    return protocolError('E_BAD_HELLO', 'token must be a string');
  }
  const frame: HelloFrame = {
    type: 'hello',
    v: 1,
    session,
    project,
    sdk,
    host,
    pid: pid as number,
    dropped: dropped as number,
  };
  if (token !== undefined) frame.token = token;
  return { ok: true, value: frame };
}

/**
 * Parses an events frame's object: every event valid and seqs strictly increasing, or the whole frame refused.
 * `text` is the frame's JSON text, from which each event's fields are taken exactly as sent.
 */
export function parseEvents(v: Record<string, unknown>, text?: string): Parsed<ReceivedEventsFrame> | ProtocolError {
  const list = v['events'];
  if (!Array.isArray(list) || list.length === 0) {
    return protocolError('E_BAD_FRAME', 'events must be a non-empty array');
  }
  if (list.length > MAX_EVENTS_PER_FRAME) {
    return protocolError('E_TOO_MANY_EVENTS', `at most ${MAX_EVENTS_PER_FRAME} events per frame`);
  }
  const events = new Array<ReceivedEvent>(list.length);
  const exact = text === undefined ? null : eventFieldsTexts(text, list.length);
  let lastSeq = 0;
  for (let i = 0; i < list.length; i++) {
    const e: unknown = list[i];
    if (!isObject(e)) return protocolError('E_BAD_EVENT', `events[${i}]: must be an object`);
    const seq = e['seq'];
    if (!Number.isSafeInteger(seq) || (seq as number) < 1) {
      return protocolError('E_BAD_SEQ', `events[${i}]: seq must be a positive integer`);
    }
    if ((seq as number) <= lastSeq) {
      return protocolError('E_BAD_SEQ', `events[${i}]: seq must rise within a frame`);
    }
    lastSeq = seq as number;
    const type = e['event_type'];
    const rule =
      checkEventType(type) ??
      checkDescription(e['event_description']) ??
      checkTimestamp(e['timestamp']) ??
      (e['fields'] === undefined ? null : checkFields(e['fields']));
    if (rule !== null) return protocolError('E_BAD_EVENT', `events[${i}]: ${rule}`);
    const fields = e['fields'] as EventFields | undefined;
    const fieldsExact = fields === undefined ? EMPTY_EXACT : (exact?.[i] ?? stringifiedExact(fields));
    const description = e['event_description'] as string | null;
    events[i] = {
      seq: seq as number,
      event_type: type as string,
      event_description: description,
      timestamp: e['timestamp'] as number,
      fields_json: fieldsExact.fields_json,
      fields_text: fieldsExact.fields_text,
      event_type_json: JSON.stringify(type),
      event_description_json: JSON.stringify(description),
      timestamp_json: String(e['timestamp']),
    };
  }
  return { ok: true, value: { type: 'events', events } };
}

/** Parses a dump request's object. */
export function parseDump(v: Record<string, unknown>): Parsed<DumpFrame> | ProtocolError {
  const id = v['id'] ?? '';
  if (!isBoundedString(id, MAX_REQUEST_ID_LENGTH)) {
    return protocolError('E_BAD_DUMP', `id must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters`);
  }
  const hours = v['hours'] ?? DEFAULT_DUMP_HOURS;
  if (typeof hours !== 'number' || !(hours > 0) || hours > MAX_DUMP_HOURS) {
    return protocolError('E_BAD_DUMP', `hours must be a number in (0, ${MAX_DUMP_HOURS}]`);
  }
  const all = v['all'] ?? false;
  if (typeof all !== 'boolean') return protocolError('E_BAD_DUMP', 'all must be a boolean');
  const projects = v['projects'] ?? [];
  if (
    !Array.isArray(projects) ||
    projects.length > 1000 ||
    !projects.every((p) => isBoundedString(p, MAX_PROJECT_NAME_LENGTH, 1))
  ) {
    return protocolError('E_BAD_DUMP', 'projects must be an array of project names');
  }
  return { ok: true, value: { type: 'dump', id, hours, all, projects: projects } };
}

/** Fields' exact text for a value that arrived without its text: its JSON.stringify. */
export function stringifiedExact(fields: EventFields): ExactFields {
  return { fields_json: JSON.stringify(fields), fields_text: null };
}

/**
 * The exact text of each event's `fields` in an events frame's (already validated) text, by event index; an
 * event without fields has none. The last `events` / `fields` key wins, as in JSON.parse. One pass over the frame:
 * the events array is walked item by item, never skipped whole first.
 */
export function eventFieldsTexts(text: string, count: number): Array<ExactFields | undefined> {
  let out = new Array<ExactFields | undefined>(count);
  let i = skipWs(text, 0) + 1;
  while (i < text.length) {
    i = skipWs(text, i);
    if (text.charCodeAt(i) !== QUOTE) break;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) break;
    const isEvents = keyIs(text, i, keyEnd, 'events');
    i = skipWs(text, skipWs(text, keyEnd) + 1);
    if (isEvents && text.charCodeAt(i) === OPEN_ARR) {
      out = new Array<ExactFields | undefined>(count);
      i = eventsArray(text, i, out);
    } else i = skipValue(text, i);
    if (i < 0) break;
    i = skipWs(text, i);
    if (text.charCodeAt(i) !== COMMA) break;
    i++;
  }
  return out;
}

/** Walks an events array at `i` (its `[`), noting each item's fields text; returns the index past the array. */
function eventsArray(text: string, i: number, out: Array<ExactFields | undefined>): number {
  i = skipWs(text, i + 1);
  let index = 0;
  while (i < text.length && text.charCodeAt(i) !== CLOSE_ARR) {
    if (text.charCodeAt(i) === OPEN_OBJ) {
      i = skipWs(text, i + 1);
      while (text.charCodeAt(i) === QUOTE) {
        const keyEnd = stringEnd(text, i);
        if (keyEnd < 0) return -1;
        const start = skipWs(text, skipWs(text, keyEnd) + 1);
        let end: number;
        if (keyIs(text, i, keyEnd, 'fields') && index < out.length) {
          const t = exactValue(text, start);
          out[index] = { fields_json: t.json, fields_text: t.exact === t.json ? null : t.exact };
          end = t.end;
        } else end = skipValue(text, start);
        if (end < 0) return -1;
        i = skipWs(text, end);
        if (text.charCodeAt(i) === COMMA) i = skipWs(text, i + 1);
      }
      i++; // the item's }
    } else {
      i = skipValue(text, i);
      if (i < 0) return -1;
    }
    index++;
    i = skipWs(text, i);
    if (text.charCodeAt(i) === COMMA) i = skipWs(text, i + 1);
  }
  return i + 1;
}

/**
 * True when the key whose quotes are at `i` and `end - 1` is `name`: compared in place, since this runs for every
 * member of every frame; decoded only when the key holds an escape.
 */
function keyIs(text: string, i: number, end: number, name: string): boolean {
  if (end - i - 2 === name.length && text.startsWith(name, i + 1)) return true;
  for (let k = i + 1; k < end - 1; k++) {
    if (text.charCodeAt(k) === BACKSLASH) return JSON.parse(text.slice(i, end)) === name;
  }
  return false;
}

/** {@link ExactFields} of the value between `start` and `end` of `text`. */
export function toExact(text: string, start: number, end: number): ExactFields {
  const t = exactText(text, start, end);
  return { fields_json: t.json, fields_text: t.exact === t.json ? null : t.exact };
}

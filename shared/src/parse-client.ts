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
import type { ClientFrame, DumpFrame, EventsFrame, HelloFrame, Parsed, WireEvent } from './protocol.js';
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
const EMPTY_FIELDS = Object.freeze({}) as Record<string, never>;

/** Parses one JSON text into a value, or E_BAD_JSON. */
export function parseJson(text: string): Parsed<unknown> | ProtocolError {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return protocolError('E_BAD_JSON', 'frame is not valid JSON');
  }
}

/** Parses a client frame received on /ingest: a typed frame or a stable error. */
export function parseClientFrame(text: string): Parsed<ClientFrame> | ProtocolError {
  const json = parseJson(text);
  if (!json.ok) return json;
  return parseClientValue(json.value);
}

/** Same as {@link parseClientFrame} for an already-parsed JSON value. */
export function parseClientValue(v: unknown): Parsed<ClientFrame> | ProtocolError {
  if (!isObject(v)) return protocolError('E_BAD_FRAME', 'frame must be a JSON object');
  const type = v['type'];
  switch (type) {
    case 'hello':
      return parseHello(v);
    case 'events':
      return parseEvents(v);
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
    return protocolError('E_BAD_HELLO', `sdk and host must be strings of at most ${MAX_HELLO_STRING_LENGTH} characters`);
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

/** Parses an events frame's object: every event valid and seqs strictly increasing, or the whole frame refused. */
export function parseEvents(v: Record<string, unknown>): Parsed<EventsFrame> | ProtocolError {
  const list = v['events'];
  if (!Array.isArray(list) || list.length === 0) {
    return protocolError('E_BAD_FRAME', 'events must be a non-empty array');
  }
  if (list.length > MAX_EVENTS_PER_FRAME) {
    return protocolError('E_TOO_MANY_EVENTS', `at most ${MAX_EVENTS_PER_FRAME} events per frame`);
  }
  const events: WireEvent[] = new Array(list.length);
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
    const typeError = checkEventType(type);
    if (typeError !== null) {
      return protocolError(typeError.includes('reserved') ? 'E_RESERVED_TYPE' : 'E_BAD_EVENT', `events[${i}]: ${typeError}`);
    }
    const rule =
      checkDescription(e['event_description']) ??
      checkTimestamp(e['timestamp']) ??
      (e['fields'] === undefined ? null : checkFields(e['fields']));
    if (rule !== null) return protocolError('E_BAD_EVENT', `events[${i}]: ${rule}`);
    events[i] = {
      seq: seq as number,
      event_type: type as string,
      event_description: e['event_description'] as string,
      timestamp: e['timestamp'] as number,
      fields: (e['fields'] ?? EMPTY_FIELDS) as WireEvent['fields'],
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
  return { ok: true, value: { type: 'dump', id, hours, all, projects: projects as string[] } };
}

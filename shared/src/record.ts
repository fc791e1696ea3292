import type { EventFields } from './protocol.js';
import { exactText, indentJson } from './raw-json.js';

/** Where a record came from. */
export type RecordSource = 'ws' | 'http' | 'legacy' | 'import' | 'collector';

/**
 * One journal line, as parsed back from disk. `layout` and `fields_text` are only on lines that need them; the
 * line's `fields` hold every token exactly as sent, but a JS reader's numbers are doubles: `fields_raw` is the text.
 */
export interface JournalRecord {
  id: number;
  /** Collector clock, epoch seconds. */
  received_at: number;
  session: string;
  seq: number;
  /** Who wrote it: a bot's transport, an import, or the collector itself ("collector": sessions, gaps, refusals). */
  source: RecordSource;
  project_name: string;
  event_type: string;
  event_description: string | null;
  /** Bot clock, epoch seconds. */
  timestamp: number;
  /** Flat events only, when the keys were not in the Python client's order (see parse-flat.ts flatLayout). */
  layout?: number[];
  /** The fields' exact text when it is not standard JSON (bare NaN / Infinity / -Infinity). */
  fields_text?: string;
  fields: EventFields;
  prev_hash: string;
  hash: string;
  /** The fields exactly as sent (compact; may hold NaN / Infinity): read from the line, not stored twice. */
  fields_raw: string;
}

/** True for a record the collector wrote itself (sessions, gaps, refusals, signed heads), whatever its type. */
export function isCollectorRecord(r: { source: RecordSource }): boolean {
  return r.source === 'collector';
}

/** prev_hash of the very first record. */
export const GENESIS_HASH = '0'.repeat(64);

const HASH_PREFIX = ',"hash":"';
const HASH_SUFFIX = '"}';
/** Characters after the hashed body of a line: `,"hash":"` + 64 hex + `"}`. */
export const SEAL_LENGTH = HASH_PREFIX.length + 64 + HASH_SUFFIX.length;

/**
 * The hashed part of a journal line: the record's JSON object up to and including `prev_hash`, without the
 * closing brace. The hash is SHA-256 over exactly these UTF-8 bytes, so a line verifies with no re-serialization.
 * Strings must already be JSON-encoded (quoted) so hot callers can encode constant parts once. `extrasJson` is ""
 * or the optional keys (`,"layout":[…]`, `,"fields_text":"…"`, see {@link recordExtras}). A number may come as its
 * `String()` text, which concatenates to the same characters (the journal keeps texts it already has).
 * Positional on purpose (the #14 exception): bench/micro-record-body.mjs measures a named-object form 13-38% slower per line.
 */
export function recordBody(
  id: number,
  receivedAt: number | string,
  sessionJson: string,
  seq: number,
  source: RecordSource,
  projectJson: string,
  typeJson: string,
  descriptionJson: string,
  timestamp: number | string,
  extrasJson: string,
  fieldsJson: string,
  prevHash: string,
): string {
  return (
    '{"id":' +
    id +
    ',"received_at":' +
    receivedAt +
    ',"session":' +
    sessionJson +
    ',"seq":' +
    seq +
    ',"source":"' +
    source +
    '","project_name":' +
    projectJson +
    ',"event_type":' +
    typeJson +
    ',"event_description":' +
    descriptionJson +
    ',"timestamp":' +
    timestamp +
    extrasJson +
    ',"fields":' +
    fieldsJson +
    ',"prev_hash":"' +
    prevHash +
    '"'
  );
}

/** The optional keys of a record body: "" for almost every event. */
export function recordExtras(
  layout: readonly number[] | null | undefined,
  fieldsText: string | null | undefined,
): string {
  let out = '';
  if (layout) out += ',"layout":[' + layout.join(',') + ']';
  if (typeof fieldsText === 'string') out += ',"fields_text":' + JSON.stringify(fieldsText);
  return out;
}

/** Completes a body into a journal line (without the trailing newline). */
export function sealRecord(body: string, hash: string): string {
  return body + HASH_PREFIX + hash + HASH_SUFFIX;
}

/** Splits a journal line into its hashed body and its stated hash, or null when the seal is malformed. */
export function splitRecordLine(line: string): { body: string; hash: string } | null {
  if (line.length <= SEAL_LENGTH || !line.endsWith(HASH_SUFFIX)) return null;
  const at = line.length - SEAL_LENGTH;
  if (line.slice(at, at + HASH_PREFIX.length) !== HASH_PREFIX) return null;
  const hash = line.slice(at + HASH_PREFIX.length, line.length - HASH_SUFFIX.length);
  if (!/^[0-9a-f]{64}$/.test(hash)) return null;
  return { body: line.slice(0, at), hash };
}

/** Why one line failed verification. */
export type LineFault = 'malformed' | 'hash' | 'chain' | 'id';

/**
 * A record as a chain check reads it: every key, but `fields` only for collector-written records (source
 * "collector", whose fields carry session metadata); null otherwise, so checking stays cheap.
 */
export type ScannedRecord = Omit<JournalRecord, 'fields' | 'fields_raw'> & { fields: EventFields | null };

/** Result of checking one line against the chain so far. */
export type LineCheck =
  | { ok: true; record: ScannedRecord }
  | { ok: false; fault: LineFault; id: number | null; record: ScannedRecord | null };

const PREV_KEY = ',"prev_hash":"';
const FIELDS_KEY = ',"fields":';
/** Characters from `,"prev_hash":"` to the end of a body: the key, 64 hex digits, the closing quote. */
const PREV_LENGTH = PREV_KEY.length + 65;

/**
 * Reads a line's keys without parsing its `fields` (the record format fixes the key order, and `,"fields":` cannot
 * occur inside an earlier JSON string, whose quotes are escaped). Null when the line is not a sealed record.
 */
export function readRecordLine(line: string): { record: ScannedRecord; body: string; hash: string } | null {
  const parts = splitRecordLine(line);
  if (parts === null) return null;
  const { body, hash } = parts;
  const prevAt = body.length - PREV_LENGTH;
  if (prevAt < 0 || body.slice(prevAt, prevAt + PREV_KEY.length) !== PREV_KEY || !body.endsWith('"')) return null;
  const fieldsAt = body.indexOf(FIELDS_KEY);
  if (fieldsAt < 0) return null;
  let head: Record<string, unknown>;
  try {
    head = JSON.parse(body.slice(0, fieldsAt) + '}') as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof head['id'] !== 'number' || typeof head['event_type'] !== 'string' || typeof head['source'] !== 'string') {
    return null;
  }
  const record = head as unknown as ScannedRecord;
  record.prev_hash = body.slice(prevAt + PREV_KEY.length, body.length - 1);
  record.hash = hash;
  record.fields = null;
  if (head['source'] === 'collector') {
    try {
      record.fields = (JSON.parse(line) as JournalRecord).fields;
    } catch {
      return null;
    }
  }
  return { record, body, hash };
}

/**
 * Checks one journal line: well-formed, hash over its body matches, prev_hash links to `expectedPrev`, id is
 * `expectedId`. Pure; `hash` is the SHA-256 hex function (node:crypto in the collector; shared stays runtime-neutral by taking it as a parameter).
 */
export function checkRecordLine(
  line: string,
  expectedPrev: string,
  expectedId: number,
  hash: (body: string) => string,
): LineCheck {
  const read = readRecordLine(line);
  if (read === null) return { ok: false, fault: 'malformed', id: null, record: null };
  const { record } = read;
  if (hash(read.body) !== read.hash) return { ok: false, fault: 'hash', id: record.id, record };
  if (record.prev_hash !== expectedPrev) return { ok: false, fault: 'chain', id: record.id, record };
  if (record.id !== expectedId) return { ok: false, fault: 'id', id: record.id, record };
  return { ok: true, record };
}

/**
 * A journal line as a record, with `fields_raw` (the fields' exact text), or null when the line is not a sealed
 * record (an empty piece, or a damaged line that verify reports). The one way every reader parses a line.
 */
export function parseRecordLine(line: string): JournalRecord | null {
  let r: JournalRecord | null;
  try {
    r = JSON.parse(line) as JournalRecord | null;
  } catch {
    return null;
  }
  if (typeof r !== 'object' || r === null || typeof r.id !== 'number' || typeof r.event_type !== 'string') return null;
  r.fields_raw = typeof r.fields_text === 'string' ? r.fields_text : rawFieldsOfLine(line);
  return r;
}

/** The exact text of a sealed line's `fields` value (standard JSON; see `fields_text` for NaN / Infinity). */
export function rawFieldsOfLine(line: string): string {
  const at = line.indexOf(FIELDS_KEY);
  const end = line.length - SEAL_LENGTH - PREV_LENGTH;
  return at < 0 || end <= at ? '{}' : line.slice(at + FIELDS_KEY.length, end);
}

/** The standard-JSON `fields` of a record's line (`fields_raw` with bare NaN / Infinity written as strings). */
export function lineFieldsJson(r: Pick<JournalRecord, 'fields_raw' | 'fields_text'>): string {
  return typeof r.fields_text === 'string' ? exactText(r.fields_raw, 0, r.fields_raw.length).json : r.fields_raw;
}

/** The exact journal line of a record, byte for byte what the journal wrote, so its hash still verifies. */
export function recordLine(r: JournalRecord): string {
  const body = recordBody(
    r.id,
    r.received_at,
    JSON.stringify(r.session),
    r.seq,
    r.source,
    JSON.stringify(r.project_name),
    JSON.stringify(r.event_type),
    JSON.stringify(r.event_description),
    r.timestamp,
    recordExtras(r.layout, r.fields_text),
    lineFieldsJson(r),
    r.prev_hash,
  );
  return sealRecord(body, r.hash);
}

/**
 * A record as indented JSON text for people (the console's detail view), its fields exactly as sent: JSON.stringify
 * would print `250.0` as `250` and big integers rounded.
 */
export function recordDisplayJson(r: JournalRecord): string {
  const { fields: _f, fields_raw: raw, fields_text: _t, ...rest } = r;
  const head = JSON.stringify({ ...rest, fields: 0 }, null, 2);
  const at = head.lastIndexOf('"fields": 0');
  return head.slice(0, at) + '"fields": ' + indentJson(raw, 2, 1) + head.slice(at + '"fields": 0'.length);
}

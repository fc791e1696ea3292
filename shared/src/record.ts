import type { EventFields } from './protocol.js';

/** Where a record came from. */
export type RecordSource = 'ws' | 'http' | 'legacy' | 'import' | 'collector';

/** One journal line, as parsed back from disk. */
export interface JournalRecord {
  id: number;
  /** Collector clock, epoch seconds. */
  received_at: number;
  session: string;
  seq: number;
  source: RecordSource;
  project_name: string;
  event_type: string;
  event_description: string;
  /** Bot clock, epoch seconds. */
  timestamp: number;
  fields: EventFields;
  prev_hash: string;
  hash: string;
}

/** True for records the collector wrote itself (sessions, gaps, signed heads), not a bot's events. */
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
 * Strings must already be JSON-encoded (quoted) so hot callers can encode constant parts once.
 */
export function recordBody(
  id: number,
  receivedAt: number,
  sessionJson: string,
  seq: number,
  source: RecordSource,
  projectJson: string,
  typeJson: string,
  descriptionJson: string,
  timestamp: number,
  fieldsJson: string,
  prevHash: string,
): string {
  return (
    '{"id":' + id +
    ',"received_at":' + receivedAt +
    ',"session":' + sessionJson +
    ',"seq":' + seq +
    ',"source":"' + source +
    '","project_name":' + projectJson +
    ',"event_type":' + typeJson +
    ',"event_description":' + descriptionJson +
    ',"timestamp":' + timestamp +
    ',"fields":' + fieldsJson +
    ',"prev_hash":"' + prevHash + '"'
  );
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
 * A record as a chain check reads it: every key, but `fields` only for collector-written records
 * (`ic-audit.*`, whose fields carry session metadata); null otherwise, so checking stays cheap.
 */
export type ScannedRecord = Omit<JournalRecord, 'fields'> & { fields: EventFields | null };

/** Result of checking one line against the chain so far. */
export type LineCheck =
  | { ok: true; record: ScannedRecord }
  | { ok: false; fault: LineFault; id: number | null; record: ScannedRecord | null };

const PREV_KEY = ',"prev_hash":"';
const FIELDS_KEY = ',"fields":';
const INTERNAL_PREFIX = 'ic-audit.';

/**
 * Reads a line's keys without parsing its `fields` (the record format fixes the key order, and `,"fields":` cannot
 * occur inside an earlier JSON string, whose quotes are escaped). Null when the line is not a sealed record.
 */
export function readRecordLine(line: string): { record: ScannedRecord; body: string; hash: string } | null {
  const parts = splitRecordLine(line);
  if (parts === null) return null;
  const { body, hash } = parts;
  const prevAt = body.length - PREV_KEY.length - 65;
  if (prevAt < 0 || body.slice(prevAt, prevAt + PREV_KEY.length) !== PREV_KEY || !body.endsWith('"')) return null;
  const fieldsAt = body.indexOf(FIELDS_KEY);
  if (fieldsAt < 0) return null;
  let head: Record<string, unknown>;
  try {
    head = JSON.parse(body.slice(0, fieldsAt) + '}') as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof head['id'] !== 'number' || typeof head['event_type'] !== 'string') return null;
  const record = head as unknown as ScannedRecord;
  record.prev_hash = body.slice(prevAt + PREV_KEY.length, body.length - 1);
  record.hash = hash;
  record.fields = null;
  if ((head['event_type'] as string).startsWith(INTERNAL_PREFIX)) {
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
 * `expectedId`. Pure; `hash` is the SHA-256 hex function (node:crypto in the collector, {@link sha256Hex} elsewhere).
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

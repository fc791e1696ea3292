/**
 * Frames of the console channel (`ws://HOST:PORT/console`), between the collector and the console UI.
 * Declared once here; parsed by parse-console.ts (one parser per direction).
 */
import type { DumpResult, HealthInfo, IntegrityInfo, SessionInfo } from './collector-types.js';
import type { QueryFilter } from './query-filter.js';
import type { JournalRecord, RecordSource } from './record.js';

/** Console channel version; bumped on any incompatible change. */
export const CONSOLE_PROTOCOL_VERSION = 1;
/** Newest records sent in a snapshot; older ones are fetched with queries. */
export const SNAPSHOT_RECORDS = 20_000;
/** Most rows one query result carries. */
export const MAX_QUERY_LIMIT = 5_000;
/** Live pushes are coalesced into at most one batch per this many milliseconds (20 per second). */
export const CONSOLE_BATCH_MS = 50;
/** A connected session with no frame for this long is shown as silent. */
export const SILENT_AFTER_SECONDS = 60;
/** Dump scopes offered by the console's Dump menu. */
export type DumpScope = '30h' | 'all' | 'filter';
/** Dump formats. */
export type DumpFormat = 'json' | 'ndjson' | 'csv';

/**
 * A record on the console channel without its hashes (fetched on demand), fields as their exact text (as sent;
 * may hold Python's bare NaN / Infinity): compact on the wire and in the console's memory. Order: id, received_at,
 * timestamp, session, seq, project_name, event_type, event_description, fields text, source.
 */
export type WireRow = [number, number, number, string, number, string, string, string | null, string, RecordSource];

/** Converts a journal record into a {@link WireRow}. */
export function toWireRow(r: JournalRecord): WireRow {
  return [
    r.id,
    r.received_at,
    r.timestamp,
    r.session,
    r.seq,
    r.project_name,
    r.event_type,
    r.event_description,
    r.fields_raw,
    r.source,
  ];
}

/** server -> console: full state on connect and after a resync. */
export interface SnapshotFrame {
  type: 'snapshot';
  v: 1;
  /** Collector clock, epoch seconds. */
  now: number;
  sessions: SessionInfo[];
  /** Newest records, oldest first. */
  rows: WireRow[];
  health: HealthInfo;
  silent_after: number;
  version: string;
}

/** server -> console: newly durable records, oldest first. */
export interface RecordsFrame {
  type: 'records';
  rows: WireRow[];
}

/** server -> console: sessions that changed. */
export interface SessionsFrame {
  type: 'sessions';
  sessions: SessionInfo[];
}

/** server -> console: periodic health, also a clock tick. */
export interface HealthFrame {
  type: 'health';
  now: number;
  health: HealthInfo;
}

/** server -> console: pushes were dropped because the console fell behind; a snapshot follows. */
export interface ResyncFrame {
  type: 'resync';
  reason: string;
}

/** server -> console: answer to a query, newest first. `more` when older matches may exist. */
export interface ResultFrame {
  type: 'result';
  id: string;
  rows: WireRow[];
  more: boolean;
}

/** server -> console: one full record (with its hashes), or null when not found. */
export interface RecordFrame {
  type: 'record';
  id: string;
  record: JournalRecord | null;
}

/** server -> console: a dump was written; `download` is a same-origin URL that streams it. */
export interface ConsoleDumpedFrame {
  type: 'dumped';
  id: string;
  result: DumpResult;
  download: string;
  file_name: string;
}

/**
 * server -> console: a dump was written, whoever asked for it (a bot, a Python client, the CLI's Enter, a console),
 * so the console can say where it went.
 */
export interface DumpWrittenFrame {
  type: 'dump_written';
  result: DumpResult;
}

/** server -> console: result of a chain verification. */
export interface VerifiedFrame {
  type: 'verified';
  id: string;
  integrity: IntegrityInfo;
}

/** server -> console: a request failed. */
export interface ConsoleErrorFrame {
  type: 'error';
  id: string | null;
  code: string;
  message: string;
}

/** Any frame the collector sends on /console. */
export type ConsoleServerFrame =
  | SnapshotFrame
  | RecordsFrame
  | SessionsFrame
  | HealthFrame
  | ResyncFrame
  | ResultFrame
  | RecordFrame
  | ConsoleDumpedFrame
  | DumpWrittenFrame
  | VerifiedFrame
  | ConsoleErrorFrame;

/** console -> server: records matching a filter, newest first, ids below `before` when set. */
export interface QueryRequest {
  type: 'query';
  id: string;
  filter: QueryFilter;
  before: number | null;
  limit: number;
}

/** console -> server: one full record by id (for the detail view's hashes). */
export interface GetRequest {
  type: 'get';
  id: string;
  record: number;
}

/** console -> server: write a dump. */
export interface DumpRequest {
  type: 'dump';
  id: string;
  scope: DumpScope;
  format: DumpFormat;
  /** Used when scope is `filter`. */
  filter: QueryFilter | null;
}

/** console -> server: walk the hash chain now. */
export interface VerifyRequest {
  type: 'verify';
  id: string;
}

/** console -> server: send a fresh snapshot (after the console dropped its state). */
export interface SnapshotRequest {
  type: 'snapshot';
}

/** Any frame the console sends on /console. */
export type ConsoleClientFrame = QueryRequest | GetRequest | DumpRequest | VerifyRequest | SnapshotRequest;

import { protocolError, type ProtocolError } from './errors.js';
import { MAX_REQUEST_ID_LENGTH } from './limits.js';
import type { Parsed } from './protocol.js';
import {
  MAX_QUERY_LIMIT,
  type ConsoleClientFrame,
  type ConsoleServerFrame,
  type DumpFormat,
  type DumpScope,
  type WireRow,
} from './console-protocol.js';
import { parseQueryFilter } from './query-filter.js';
import { isBoundedString, isObject } from './validate.js';

const SCOPES: readonly DumpScope[] = ['30h', 'all', 'filter'];
const FORMATS: readonly DumpFormat[] = ['json', 'ndjson', 'csv'];

function parseText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Parses a frame the console sent on /console (collector side). Untrusted: every field is checked. */
export function parseConsoleClientFrame(text: string): Parsed<ConsoleClientFrame> | ProtocolError {
  const v = parseText(text);
  if (v === undefined) return protocolError('E_BAD_JSON', 'frame is not valid JSON');
  if (!isObject(v)) return protocolError('E_BAD_FRAME', 'frame must be a JSON object');
  const type = v['type'];
  if (type === 'snapshot') return { ok: true, value: { type: 'snapshot' } };
  const id = v['id'];
  if (!isBoundedString(id, MAX_REQUEST_ID_LENGTH)) {
    return protocolError('E_BAD_FRAME', `id must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters`);
  }
  switch (type) {
    case 'query': {
      const filter = parseQueryFilter(v['filter']);
      if (typeof filter === 'string') return protocolError('E_BAD_FRAME', filter);
      const before = v['before'] ?? null;
      if (before !== null && !Number.isSafeInteger(before)) return protocolError('E_BAD_FRAME', 'before must be an id');
      const limit = v['limit'] ?? 1000;
      if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_QUERY_LIMIT) {
        return protocolError('E_BAD_FRAME', `limit must be an integer in [1, ${MAX_QUERY_LIMIT}]`);
      }
      return { ok: true, value: { type, id, filter, before: before as number | null, limit: limit as number } };
    }
    case 'get': {
      const record = v['record'];
      if (!Number.isSafeInteger(record)) return protocolError('E_BAD_FRAME', 'record must be an id');
      return { ok: true, value: { type, id, record: record as number } };
    }
    case 'dump': {
      const scope = v['scope'] ?? '30h';
      const format = v['format'] ?? 'json';
      if (!(SCOPES as readonly unknown[]).includes(scope)) {
        return protocolError('E_BAD_DUMP', `scope must be one of ${SCOPES.join(', ')}`);
      }
      if (!(FORMATS as readonly unknown[]).includes(format)) {
        return protocolError('E_BAD_DUMP', `format must be one of ${FORMATS.join(', ')}`);
      }
      const rawFilter = v['filter'] ?? null;
      const filter = rawFilter === null ? null : parseQueryFilter(rawFilter);
      if (typeof filter === 'string') return protocolError('E_BAD_DUMP', filter);
      if (scope === 'filter' && filter === null) return protocolError('E_BAD_DUMP', 'scope filter needs a filter');
      return { ok: true, value: { type, id, scope: scope as DumpScope, format: format as DumpFormat, filter } };
    }
    case 'verify':
      return { ok: true, value: { type, id } };
    default:
      return protocolError('E_UNKNOWN_TYPE', `unknown console frame type ${JSON.stringify(String(type)).slice(0, 80)}`);
  }
}

/** True when v has the shape of a {@link WireRow}. */
export function isWireRow(v: unknown): v is WireRow {
  return (
    Array.isArray(v) &&
    v.length === 10 &&
    typeof v[0] === 'number' &&
    typeof v[1] === 'number' &&
    typeof v[2] === 'number' &&
    typeof v[3] === 'string' &&
    typeof v[4] === 'number' &&
    typeof v[5] === 'string' &&
    typeof v[6] === 'string' &&
    (typeof v[7] === 'string' || v[7] === null) &&
    typeof v[8] === 'string' &&
    typeof v[9] === 'string'
  );
}

function rowsOk(v: unknown): v is WireRow[] {
  if (!Array.isArray(v)) return false;
  for (const row of v) if (!isWireRow(row)) return false;
  return true;
}

const bad = (what: string): ProtocolError => protocolError('E_BAD_FRAME', `bad ${what} frame`);

/**
 * Parses a frame the collector sent on /console (console side). The collector is trusted for shapes it owns
 * (sessions, health), but rows are checked because they carry bot-supplied text.
 */
export function parseConsoleServerFrame(text: string): Parsed<ConsoleServerFrame> | ProtocolError {
  const v = parseText(text);
  if (v === undefined) return protocolError('E_BAD_JSON', 'frame is not valid JSON');
  if (!isObject(v)) return protocolError('E_BAD_FRAME', 'frame must be a JSON object');
  const type = v['type'];
  const frame = v as unknown as ConsoleServerFrame;
  switch (frame.type) {
    case 'snapshot':
      return rowsOk(v['rows']) && Array.isArray(v['sessions']) && isObject(v['health']) && typeof v['now'] === 'number'
        ? { ok: true, value: frame }
        : bad('snapshot');
    case 'records':
      return rowsOk(v['rows']) ? { ok: true, value: frame } : bad('records');
    case 'sessions':
      return Array.isArray(v['sessions']) ? { ok: true, value: frame } : bad('sessions');
    case 'health':
      return isObject(v['health']) && typeof v['now'] === 'number' ? { ok: true, value: frame } : bad('health');
    case 'resync':
      return { ok: true, value: { type: 'resync', reason: String(v['reason'] ?? '') } };
    case 'result':
      return typeof v['id'] === 'string' && rowsOk(v['rows']) ? { ok: true, value: frame } : bad('result');
    case 'record':
      return typeof v['id'] === 'string' && (v['record'] === null || isObject(v['record']))
        ? { ok: true, value: frame }
        : bad('record');
    case 'dumped':
      return typeof v['id'] === 'string' && isObject(v['result']) && typeof v['download'] === 'string'
        ? { ok: true, value: frame }
        : bad('dumped');
    case 'verified':
      return typeof v['id'] === 'string' && isObject(v['integrity']) ? { ok: true, value: frame } : bad('verified');
    case 'dump_written':
      return isObject(v['result']) && typeof v['result']['path'] === 'string'
        ? { ok: true, value: frame }
        : bad('dump_written');
    case 'error':
      return {
        ok: true,
        value: {
          type: 'error',
          id: typeof v['id'] === 'string' ? v['id'] : null,
          code: String(v['code'] ?? ''),
          message: String(v['message'] ?? ''),
        },
      };
    default: {
      const never: never = frame;
      void never;
      return protocolError('E_UNKNOWN_TYPE', `unknown console server frame type ${String(type).slice(0, 80)}`);
    }
  }
}

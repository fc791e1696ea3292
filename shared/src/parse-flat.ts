import { protocolError, type ProtocolError } from './errors.js';
import type { EventFields, FlatEvent, Parsed } from './protocol.js';
import {
  checkDescription,
  checkEventType,
  checkFields,
  checkTimestamp,
  isObject,
  parseProjectInfo,
} from './validate.js';

/** Keys of a flat (seed-style) event that are not fields. */
export const FLAT_RESERVED_KEYS: ReadonlySet<string> = new Set([
  'project_name',
  'project_market',
  'project_description',
  'project_privileges',
  'event_type',
  'event_description',
  'timestamp',
]);

/**
 * Parses one flat seed-style event (POST /ingest line, legacy TCP message): the seed's keys plus any other keys,
 * which become `fields`. `nowSeconds` stands in for a missing timestamp.
 */
export function parseFlatEvent(v: unknown, nowSeconds: number): Parsed<FlatEvent> | ProtocolError {
  if (!isObject(v)) return protocolError('E_BAD_EVENT', 'event must be a JSON object');
  const project = parseProjectInfo(v);
  if (typeof project === 'string') return protocolError('E_BAD_EVENT', project);
  const type = v['event_type'];
  const typeError = checkEventType(type);
  if (typeError !== null) {
    return protocolError(typeError.includes('reserved') ? 'E_RESERVED_TYPE' : 'E_BAD_EVENT', typeError);
  }
  const description = v['event_description'] ?? '';
  const timestamp = v['timestamp'] ?? nowSeconds;
  const rule = checkDescription(description) ?? checkTimestamp(timestamp);
  if (rule !== null) return protocolError('E_BAD_EVENT', rule);
  const fields: EventFields = {};
  for (const key of Object.keys(v)) {
    if (FLAT_RESERVED_KEYS.has(key)) continue;
    if (key === '__proto__') return protocolError('E_BAD_EVENT', 'field name __proto__ is not allowed');
    fields[key] = v[key] as EventFields[string];
  }
  const fieldRule = checkFields(fields);
  if (fieldRule !== null) return protocolError('E_BAD_EVENT', fieldRule);
  return {
    ok: true,
    value: {
      ...project,
      event_type: type as string,
      event_description: description as string,
      timestamp: timestamp as number,
      fields,
    },
  };
}

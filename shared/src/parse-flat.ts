import { protocolError, type ProtocolError } from './errors.js';
import { toExact } from './parse-client.js';
import type { EventFields, FlatEvent, Parsed } from './protocol.js';
import { objectMembers } from './raw-json.js';
import {
  checkDescription,
  checkEventType,
  checkFields,
  checkTimestamp,
  isObject,
  parseProjectInfo,
} from './validate.js';

/** The keys of a flat (seed-style) event that are record columns; every other key is a field, kept in order. */
export const FLAT_COLUMN_KEYS = ['event_type', 'event_description', 'timestamp', 'project_name'] as const;

/** Where a flat event's text is: the text and the index of its `{`, so fields keep their exact text. */
export interface FlatSource {
  text: string;
  start: number;
}

/** Project metadata used when a flat event lacks it (an imported dump's later events name only their project). */
export type ProjectDefaults = Partial<Record<'project_market' | 'project_description' | 'project_privileges', unknown>>;

/**
 * Parses one flat seed-style event (POST /ingest line, legacy TCP message, an imported dump's entry): the record
 * columns plus any other keys, which become `fields` in the order sent (project metadata included, as the Python
 * server kept it on every event). With `source`, each field keeps its exact text; `nowSeconds` stands in for a
 * missing timestamp.
 */
export function parseFlatEvent(
  v: unknown,
  nowSeconds: number,
  source?: FlatSource,
  defaults: ProjectDefaults = {},
): Parsed<FlatEvent> | ProtocolError {
  if (!isObject(v)) return protocolError('E_BAD_EVENT', 'event must be a JSON object');
  const project = parseProjectInfo({ ...defaults, ...v });
  if (typeof project === 'string') return protocolError('E_BAD_EVENT', project);
  const type = v['event_type'];
  const description = v['event_description'] ?? null;
  const timestamp = v['timestamp'] ?? nowSeconds;
  const rule = checkEventType(type) ?? checkDescription(description) ?? checkTimestamp(timestamp);
  if (rule !== null) return protocolError('E_BAD_EVENT', rule);
  const fields: EventFields = {};
  // The object's keys in the order JSON text (and Python's dict) gives them: a repeated key keeps its first place.
  const order: string[] = [];
  for (const key of Object.keys(v)) {
    order.push(key);
    if ((FLAT_COLUMN_KEYS as readonly string[]).includes(key)) continue;
    if (key === '__proto__') return protocolError('E_BAD_EVENT', 'field name __proto__ is not allowed');
    fields[key] = v[key] as EventFields[string];
  }
  const fieldRule = checkFields(fields);
  if (fieldRule !== null) return protocolError('E_BAD_EVENT', fieldRule);
  const exact = source === undefined ? null : flatFieldsText(source);
  const keyOrder = exact?.order ?? order;
  return {
    ok: true,
    value: {
      ...project,
      event_type: type as string,
      event_description: description as string | null,
      timestamp: timestamp as number,
      fields,
      fields_json: exact?.fields_json ?? JSON.stringify(fields),
      fields_text: exact?.fields_text ?? null,
      layout: flatLayout(keyOrder),
    },
  };
}

/**
 * Where the record columns stood among an object's keys: null for the Python client's own order (event_type,
 * event_description, timestamp, the send() fields, then project_name just before project_market), else the index
 * of each of {@link FLAT_COLUMN_KEYS} (-1 when absent). Lets a dump give the object back in the order sent.
 */
export function flatLayout(order: readonly string[]): number[] | null {
  const at = FLAT_COLUMN_KEYS.map((k) => order.indexOf(k));
  const name = at[3]!;
  if (at[0] === 0 && at[1] === 1 && at[2] === 2 && name >= 3 && order[name + 1] === 'project_market') return null;
  return at;
}

/**
 * The exact text of a flat event's fields: each non-column member's value as sent (whitespace between tokens
 * dropped), in first-seen key order with the last value of a repeated key, as Python's dict keeps them.
 */
export function flatFieldsText(source: FlatSource): {
  fields_json: string;
  fields_text: string | null;
  order: string[];
} {
  const members = objectMembers(source.text, source.start);
  const order: string[] = [];
  const values = new Map<string, { keyText: string; json: string; exact: string }>();
  for (const m of members) {
    const seen = values.get(m.key);
    if (seen === undefined) order.push(m.key);
    if ((FLAT_COLUMN_KEYS as readonly string[]).includes(m.key)) {
      if (seen === undefined) values.set(m.key, { keyText: '', json: '', exact: '' });
      continue;
    }
    const t = toExact(source.text, m.start, m.end);
    values.set(m.key, {
      keyText: seen?.keyText ?? m.keyText,
      json: t.fields_json,
      exact: t.fields_text ?? t.fields_json,
    });
  }
  let json = '{';
  let exact = '{';
  let differs = false;
  for (const key of order) {
    if ((FLAT_COLUMN_KEYS as readonly string[]).includes(key)) continue;
    const v = values.get(key)!;
    const sep = json.length > 1 ? ',' : '';
    json += sep + v.keyText + ':' + v.json;
    exact += sep + v.keyText + ':' + v.exact;
    if (v.exact !== v.json) differs = true;
  }
  return { fields_json: json + '}', fields_text: differs ? exact + '}' : null, order };
}

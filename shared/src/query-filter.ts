/**
 * The console's filter grammar, shared so the renderer (filtering its in-memory rows) and the collector (filtering
 * the journal for queries and "current filter" dumps) agree on exactly which records match.
 *
 * Free text: whitespace-separated words, each must occur (case-insensitive) in the project, type, description or
 * fields. `key=value` terms (`symbol=EURUSD`, `order.side=buy`) compare one field, case-insensitive; quotes allow
 * spaces (`note="stop loss"`).
 */
import { topLevelValue } from './json-scan.js';
import type { EventFields, JsonValue } from './protocol.js';
import { isObject } from './validate.js';
import { parseLenient } from './raw-json.js';
import { MAX_FIELD_DEPTH } from './limits.js';

/** Time range presets of the console. `custom` uses `from`/`to`. */
export type TimeRange = '15m' | '1h' | '30h' | 'all' | 'custom';

/** Every preset, in menu order. */
export const TIME_RANGES: readonly TimeRange[] = ['15m', '1h', '30h', 'all', 'custom'];

/** One console filter as the user set it. Empty strings mean "any". */
export interface QueryFilter {
  project: string;
  type: string;
  /** Free words and `field=value` terms. */
  text: string;
  range: TimeRange;
  /** Custom range bounds, collector clock, epoch seconds. */
  from: number | null;
  to: number | null;
}

/** The filter that matches everything. */
export const EMPTY_FILTER: QueryFilter = Object.freeze({
  project: '',
  type: '',
  text: '',
  range: 'all',
  from: null,
  to: null,
});

/** A record as the filter sees it; `fields` is either parsed or still its JSON text (renderer rows). */
export interface FilterableRecord {
  project_name: string;
  event_type: string;
  event_description: string | null;
  /** Collector clock, epoch seconds: time ranges compare against it. */
  received_at: number;
  fields: EventFields | string;
  /** The fields' exact text, when the record has it: terms then compare values as sent (`price=250.0`). */
  fields_raw?: string;
}

/** One `key=value` term. */
export interface FieldTerm {
  path: string[];
  value: string;
}

/** The text box split into its parts. */
export interface ParsedText {
  words: string[];
  terms: FieldTerm[];
}

/** A filter ready to run. */
export interface CompiledFilter {
  /** Collector-clock window, when the range bounds it. */
  since: number | undefined;
  until: number | undefined;
  /** True when the filter matches every record (no need to scan). */
  matchesAll: boolean;
  match: (record: FilterableRecord) => boolean;
}

const RANGE_SECONDS: Record<Exclude<TimeRange, 'all' | 'custom'>, number> = {
  '15m': 15 * 60,
  '1h': 3600,
  '30h': 30 * 3600,
};

/** Splits the text box into words and `key=value` terms; double quotes group spaces. */
export function parseFilterText(text: string): ParsedText {
  const words: string[] = [];
  const terms: FieldTerm[] = [];
  const re = /(?:[^\s"]+|"[^"]*")+/g;
  for (const m of text.matchAll(re)) {
    const token = m[0];
    const eq = token.indexOf('=');
    // A leading '=' or a quoted key is a plain word: only bare identifiers name fields.
    if (eq > 0 && /^[A-Za-z0-9_.-]+$/.test(token.slice(0, eq))) {
      terms.push({ path: token.slice(0, eq).split('.'), value: unquote(token.slice(eq + 1)).toLowerCase() });
    } else {
      const word = unquote(token).toLowerCase();
      if (word !== '') words.push(word);
    }
  }
  return { words, terms };
}

function unquote(s: string): string {
  return s.replace(/"/g, '');
}

/** Turns a filter into a window and a predicate. `now` is the collector clock in epoch seconds. */
export function compileFilter(filter: QueryFilter, now: number): CompiledFilter {
  let since: number | undefined;
  let until: number | undefined;
  if (filter.range === 'custom') {
    since = filter.from ?? undefined;
    until = filter.to ?? undefined;
  } else if (filter.range !== 'all') {
    since = now - RANGE_SECONDS[filter.range];
  }
  const { words, terms } = parseFilterText(filter.text);
  const project = filter.project;
  const type = filter.type;
  const matchesAll =
    project === '' &&
    type === '' &&
    words.length === 0 &&
    terms.length === 0 &&
    since === undefined &&
    until === undefined;
  // Case-insensitive searches compiled once: no lowercased copy of every row's text per filter run.
  const wordRes = words.map(caseless);
  const termRes = terms.map((t) => caseless(t.value));
  const match = (r: FilterableRecord): boolean => {
    const f = r.fields_raw ?? r.fields;
    if (project !== '' && r.project_name !== project) return false;
    if (type !== '' && r.event_type !== type) return false;
    if (since !== undefined && r.received_at < since) return false;
    if (until !== undefined && r.received_at > until) return false;
    if (wordRes.length > 0) {
      const fieldsText = typeof f === 'string' ? f : JSON.stringify(f);
      for (const re of wordRes) {
        if (
          !re.test(r.project_name) &&
          !re.test(r.event_type) &&
          !re.test(r.event_description ?? '') &&
          !re.test(fieldsText)
        ) {
          return false;
        }
      }
    }
    if (terms.length > 0) {
      let rest = terms;
      if (typeof f === 'string') {
        // Cheap reject on the raw JSON text, then top-level terms read straight from it; only what is left
        // (nested paths, escaped text) pays for a parse.
        for (const re of termRes) if (!re.test(f)) return false;
        const undecided: FieldTerm[] = [];
        for (const t of terms) {
          const verdict = scannedTermMatches(f, t);
          if (verdict === false) return false;
          if (verdict === null) undecided.push(t);
        }
        if (undecided.length === 0) return true;
        rest = undecided;
      }
      const fields = parsedFields(f);
      if (fields === null) return false;
      for (const t of rest) if (!termMatches(fields, t)) return false;
    }
    return true;
  };
  return { since, until, matchesAll, match };
}

/** A case-insensitive, Unicode-aware search for `text` (already lowercased) anywhere in a string. */
function caseless(text: string): RegExp {
  // Only the syntax characters: in Unicode mode any other escape (such as \-) is an error.
  return new RegExp(text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), 'iu');
}

function parsedFields(fields: EventFields | string): EventFields | null {
  if (typeof fields !== 'string') return fields;
  try {
    const v: unknown = JSON.parse(fields);
    return isObject(v) ? (v as EventFields) : null;
  } catch {
    // Python's bare NaN / Infinity: the exact text is not standard JSON.
    try {
      const v = parseLenient(fields, MAX_FIELD_DEPTH);
      return isObject(v) ? (v as EventFields) : null;
    } catch {
      return null;
    }
  }
}

/** Value of a dotted path inside fields, or undefined. */
export function fieldAt(fields: EventFields, path: readonly string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = fields;
  for (const key of path) {
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, JsonValue>)[key];
  }
  return cur;
}

/** A top-level term decided from the JSON text alone: true, false, or null when it needs a parse. */
function scannedTermMatches(json: string, term: FieldTerm): boolean | null {
  if (term.path.length !== 1) return null;
  const v = topLevelValue(json, term.path[0]!);
  switch (v.kind) {
    case 'absent':
      return false;
    case 'string':
    case 'literal':
      return v.text.toLowerCase() === term.value;
    case 'unknown':
      return null;
    default: {
      const never: never = v;
      return never;
    }
  }
}

function termMatches(fields: EventFields, term: FieldTerm): boolean {
  const v = fieldAt(fields, term.path);
  if (v === undefined) return false;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.toLowerCase() === term.value;
}

/** Validates an untrusted filter object (from a console frame or query string); returns it or the broken rule. */
export function parseQueryFilter(v: unknown): QueryFilter | string {
  if (v === undefined || v === null) return { ...EMPTY_FILTER };
  if (!isObject(v)) return 'filter must be an object';
  const project = v['project'] ?? '';
  const type = v['type'] ?? '';
  const text = v['text'] ?? '';
  const range = v['range'] ?? 'all';
  const from = v['from'] ?? null;
  const to = v['to'] ?? null;
  if (typeof project !== 'string' || project.length > 128) return 'filter.project must be a short string';
  if (typeof type !== 'string' || type.length > 64) return 'filter.type must be a short string';
  if (typeof text !== 'string' || text.length > 1024) return 'filter.text must be a string of at most 1024 characters';
  if (typeof range !== 'string' || !(TIME_RANGES as readonly string[]).includes(range)) {
    return `filter.range must be one of ${TIME_RANGES.join(', ')}`;
  }
  for (const bound of [from, to]) {
    if (bound !== null && (typeof bound !== 'number' || !Number.isFinite(bound))) {
      return 'filter.from and filter.to must be epoch seconds or null';
    }
  }
  return { project, type, text, range: range as TimeRange, from: from as number | null, to: to as number | null };
}

/** True when two filters select the same records. */
export function sameFilter(a: QueryFilter, b: QueryFilter): boolean {
  return (
    a.project === b.project &&
    a.type === b.type &&
    a.text === b.text &&
    a.range === b.range &&
    a.from === b.from &&
    a.to === b.to
  );
}

import { BACKSLASH, COLON, COMMA, QUOTE } from './json-chars.js';
import { objectMembers } from './raw-json.js';
import type { ProjectInfo } from './protocol.js';
import { FLAT_COLUMN_KEYS } from './parse-flat.js';
import type { JournalRecord } from './record.js';

/** Default dump file name, as the seed wrote it. */
export const DUMP_FILE_NAME = 'dumped_audit_trails.json';

/**
 * Which Python server's dump shape a seed-format dump takes. Both list every project with its events; v0.4.7 adds
 * `"external_hosts": [], "external_hosts_audit": {}` after the projects (this collector manages no remote hosts).
 */
export type SeedShape = 'v0.3' | 'v0.4.7';

/** The default shape: the v0.3 tool's, whose README is the reference (`docs/protocol.md`, "Dumps"). */
export const DEFAULT_SEED_SHAPE: SeedShape = 'v0.3';

/** What a v0.4.7 dump adds after the projects, in the Python server's own spacing. */
export const V047_DUMP_TAIL = ', "external_hosts": [], "external_hosts_audit": {}';

/**
 * A string as JSON the way Python's `json.dumps` writes it by default (`ensure_ascii`): every character past
 * 0x7E as a lowercase `\uXXXX` escape, so the columns a dump re-serializes match the Python server's bytes.
 */
export function pythonString(s: string): string {
  const json = JSON.stringify(s);
  let ascii = true;
  for (let i = 0; i < json.length; i++) {
    if (json.charCodeAt(i) > 0x7e) {
      ascii = false;
      break;
    }
  }
  return ascii ? json : json.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** One key of a dump entry: its JSON key text (quoted, escapes as sent) and its value's exact text. */
export type EntryMember = readonly [keyText: string, valueText: string];

const SEED_PROJECT_KEYS = ['project_market', 'project_description', 'project_privileges'] as const;
const COLUMN_KEYS: ReadonlySet<string> = new Set(FLAT_COLUMN_KEYS);

/**
 * The keys of a record's seed-dump entry, in the order the Python server writes them, each value exactly as sent.
 * Flat events (POST, legacy, import) come back as the object the bot sent, in its key order (its `layout`). SDK
 * events take the Python client's order: event_type, event_description, timestamp, the fields, project_name,
 * project_market, project_description, project_privileges, with the project's values from the session's hello.
 */
export function dumpEntryMembers(record: JournalRecord, project: ProjectInfo | undefined): EntryMember[] {
  const raw = record.fields_raw;
  const fields = objectMembers(raw, 0);
  const columns: Record<string, EntryMember> = {
    event_type: ['"event_type"', pythonString(record.event_type)],
    event_description: [
      '"event_description"',
      record.event_description === null ? 'null' : pythonString(record.event_description),
    ],
    timestamp: ['"timestamp"', String(record.timestamp)],
    project_name: ['"project_name"', pythonString(record.project_name)],
  };
  const out: EntryMember[] = [];
  if (record.source === 'ws') {
    out.push(columns['event_type']!, columns['event_description']!, columns['timestamp']!);
    const meta: Record<string, string> = {
      project_name: columns['project_name']![1],
      project_market: pythonString(project?.project_market ?? ''),
      project_description: pythonString(project?.project_description ?? ''),
      project_privileges:
        '[' + (project?.project_privileges ?? []).map((p) => (p === null ? 'null' : pythonString(p))).join(',') + ']',
    };
    const done = new Set<string>();
    for (const m of fields) {
      if (COLUMN_KEYS.has(m.key) && m.key !== 'project_name') continue;
      if (Object.hasOwn(meta, m.key)) {
        // As Python's dict update does: a send() field named like a project key keeps its place, not its value.
        out.push([m.keyText, meta[m.key]!]);
        done.add(m.key);
      } else out.push([m.keyText, raw.slice(m.start, m.end)]);
    }
    for (const key of ['project_name', ...SEED_PROJECT_KEYS]) {
      if (!done.has(key)) out.push([JSON.stringify(key), meta[key]!]);
    }
    return out;
  }
  const layout = record.layout;
  if (layout === undefined) {
    out.push(columns['event_type']!, columns['event_description']!, columns['timestamp']!);
    let named = false;
    for (const m of fields) {
      if (!named && m.key === 'project_market') {
        out.push(columns['project_name']!);
        named = true;
      }
      out.push([m.keyText, raw.slice(m.start, m.end)]);
    }
    if (!named) out.push(columns['project_name']!);
    return out;
  }
  const total = fields.length + layout.filter((i) => i >= 0).length;
  const slots = new Array<EntryMember | undefined>(total);
  FLAT_COLUMN_KEYS.forEach((key, k) => {
    const at = layout[k] ?? -1;
    if (at >= 0 && at < total) slots[at] = columns[key];
  });
  let next = 0;
  for (let i = 0; i < total; i++) {
    if (slots[i] !== undefined) continue;
    const m = fields[next++];
    if (m !== undefined) slots[i] = [m.keyText, raw.slice(m.start, m.end)];
  }
  for (const s of slots) if (s !== undefined) out.push(s);
  return out;
}

/** A dump entry as compact JSON text (every value as sent; may hold bare NaN / Infinity, as the seed's did). */
export function entryText(members: readonly EntryMember[]): string {
  let s = '{';
  for (let i = 0; i < members.length; i++) s += (i === 0 ? '' : ',') + members[i]![0] + ':' + members[i]![1];
  return s + '}';
}

/**
 * Compact JSON text laid out as Python's `json.dump` writes it with its defaults: `", "` between items, `": "`
 * after keys, one line. Every token is kept as it is.
 */
export function pythonSpacing(compact: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < compact.length; i++) {
    const c = compact.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < compact.length; i++) {
        const d = compact.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === COMMA || c === COLON) {
      out += compact.slice(from, i + 1) + ' ';
      from = i + 1;
    }
  }
  return from === 0 ? compact : out + compact.slice(from);
}

/** True when a record is a v0.4.7 client's boot event (it alone sends `booted_with_pid`). */
export function isV047Boot(record: Pick<JournalRecord, 'event_type' | 'fields_raw'>): boolean {
  return record.event_type === 'boot' && record.fields_raw.includes('"booted_with_pid":');
}

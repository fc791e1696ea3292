import { BOOT_DESCRIPTION, ProjectEvents } from './events.js';
import type { JsonValue, ProjectInfo } from './protocol.js';
import type { JournalRecord } from './record.js';

/** Default dump file name, as the seed wrote it. */
export const DUMP_FILE_NAME = 'dumped_audit_trails.json';

/** One event as the seed's dump lists it: the event's keys, then its fields. */
export type DumpEntry = Record<string, JsonValue>;

/** The seed's dump file: project name -> that project's events in journal order. */
export type DumpFile = Record<string, DumpEntry[]>;

const ENTRY_KEYS = new Set(['event_type', 'event_description', 'timestamp', 'project_name', '__proto__']);
const BOOT_KEYS = ['project_market', 'project_description', 'project_privileges'] as const;

/**
 * Converts a journal record into the seed's dump shape. Boot events carry the project's market, description and
 * privileges, taken from the session's hello (`project`) when the bot did not put them in the event's fields.
 * Fields never override the four event keys.
 */
export function toDumpEntry(record: JournalRecord, project: ProjectInfo | undefined): DumpEntry {
  const entry: DumpEntry = {
    event_type: record.event_type,
    event_description: record.event_description,
    timestamp: record.timestamp,
    project_name: record.project_name,
  };
  const fields = record.fields;
  if (record.event_type === ProjectEvents.BOOT) {
    for (const key of BOOT_KEYS) {
      const fromFields = fields[key];
      entry[key] = fromFields !== undefined ? fromFields : project ? project[key] : key === 'project_privileges' ? [] : '';
    }
  }
  for (const key of Object.keys(fields)) {
    if (ENTRY_KEYS.has(key) || key in entry) continue;
    entry[key] = fields[key] as JsonValue;
  }
  return entry;
}

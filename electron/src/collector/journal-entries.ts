import type { EventFields, ExactFields, FlatEvent, ProjectInfo } from '@ic-audit/shared';
import type { JournalEntry } from '../journal/journal.js';
import type { SessionState } from '../read-model/sessions.js';

/** What the journal needs of an event, whichever transport brought it. */
export type EventBody = ExactFields & {
  event_type: string;
  event_description: string | null;
  timestamp: number;
  layout?: number[] | null;
  /** Type and description already JSON-encoded (WebSocket events come with them; flat events are encoded here). */
  event_type_json?: string;
  event_description_json?: string;
  /** `String(timestamp)`, when the transport has it already (WebSocket events). */
  timestamp_json?: string;
};

/** Epoch milliseconds with sub-millisecond precision (Date.now() has whole milliseconds only). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Seconds since the epoch, with microsecond resolution. */
export function nowSeconds(now: () => number): number {
  return Math.round(now() * 1000) / 1e6;
}

/** The journal entry of a bot's event in a session: its fields' exact text goes to disk as it came. */
export function eventEntry(state: SessionState, seq: number, e: EventBody, now: number): JournalEntry {
  return {
    receivedAt: now,
    session: state.session,
    sessionJson: state.sessionJson,
    seq,
    source: state.source,
    projectName: state.project.project_name,
    projectJson: state.projectJson,
    eventType: e.event_type,
    typeJson: e.event_type_json ?? JSON.stringify(e.event_type),
    description: e.event_description,
    descriptionJson: e.event_description_json ?? JSON.stringify(e.event_description),
    timestamp: e.timestamp,
    timestampJson: e.timestamp_json,
    fieldsJson: e.fields_json,
    fieldsText: e.fields_text,
    layout: e.layout ?? null,
  };
}

/** The journal entry of a record of the collector's own (source "collector", seq 0) in a session's stream. */
export function collectorEntry(
  state: SessionState,
  type: string,
  description: string,
  fields: EventFields,
  now: number,
): JournalEntry {
  return {
    receivedAt: now,
    session: state.session,
    sessionJson: state.sessionJson,
    seq: 0,
    source: 'collector',
    projectName: state.project.project_name,
    projectJson: state.projectJson,
    eventType: type,
    description,
    timestamp: now,
    fieldsJson: JSON.stringify(fields),
    fieldsText: null,
    layout: null,
  };
}

/** A flat event's project metadata, as its synthetic session declares it. */
export function flatProject(e: FlatEvent): ProjectInfo {
  return {
    project_name: e.project_name,
    project_market: e.project_market,
    project_description: e.project_description,
    project_privileges: e.project_privileges,
  };
}

import type { EventFields, JournalRecord, RecordSource } from '@ic-audit/shared';
import type { JournalEntry } from './journal-entry.js';

/**
 * A just-committed record for live listeners (consoles, NATS). Its `fields` object is parsed only if someone reads
 * it: consoles and replication use the exact text (`fields_raw`), so the hot path does not parse every event twice.
 * `toJSON` gives the same object a record read back from its line would.
 */
export class CommittedRecord implements JournalRecord {
  readonly received_at: number;
  readonly session: string;
  readonly seq: number;
  readonly source: RecordSource;
  readonly project_name: string;
  readonly event_type: string;
  readonly event_description: string | null;
  readonly timestamp: number;
  readonly fields_raw: string;
  layout?: number[];
  fields_text?: string;
  private readonly fieldsJson: string;
  private parsed: EventFields | undefined;

  constructor(
    entry: JournalEntry,
    readonly id: number,
    readonly prev_hash: string,
    readonly hash: string,
  ) {
    this.received_at = entry.receivedAt;
    this.session = entry.session;
    this.seq = entry.seq;
    this.source = entry.source;
    this.project_name = entry.projectName;
    this.event_type = entry.eventType;
    this.event_description = entry.description;
    this.timestamp = entry.timestamp;
    this.fieldsJson = entry.fieldsJson;
    this.fields_raw = entry.fieldsText ?? entry.fieldsJson;
    if (entry.layout !== null) this.layout = entry.layout;
    if (entry.fieldsText !== null) this.fields_text = entry.fieldsText;
  }
  /** The fields as an object (numbers as JS doubles; `fields_raw` is the exact text). */
  get fields(): EventFields {
    return (this.parsed ??= JSON.parse(this.fieldsJson) as EventFields);
  }

  /** The record as plain JSON, keys in the journal line's order. */
  toJSON(): JournalRecord {
    const out: Record<string, unknown> = {
      id: this.id,
      received_at: this.received_at,
      session: this.session,
      seq: this.seq,
      source: this.source,
      project_name: this.project_name,
      event_type: this.event_type,
      event_description: this.event_description,
      timestamp: this.timestamp,
    };
    if (this.layout !== undefined) out['layout'] = this.layout;
    if (this.fields_text !== undefined) out['fields_text'] = this.fields_text;
    out['fields'] = this.fields;
    out['prev_hash'] = this.prev_hash;
    out['hash'] = this.hash;
    out['fields_raw'] = this.fields_raw;
    return out as unknown as JournalRecord;
  }
}

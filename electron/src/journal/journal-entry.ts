import type { RecordSource } from '@ic-audit/shared';

/** An event accepted for writing; becomes a {@link JournalRecord} once durable. */
export interface JournalEntry {
  receivedAt: number;
  session: string;
  /** JSON-encoded session id, built once per session. */
  sessionJson: string;
  seq: number;
  source: RecordSource;
  projectName: string;
  /** JSON-encoded project name, built once per session. */
  projectJson: string;
  eventType: string;
  /** `eventType` JSON-encoded, when the caller has it already (else encoded when the line is built). */
  typeJson?: string;
  description: string | null;
  /** `description` JSON-encoded (`null` for null), when the caller has it already. */
  descriptionJson?: string;
  timestamp: number;
  /** `String(timestamp)`, when the caller has it already. */
  timestampJson?: string | undefined;
  /** The fields as standard JSON, every token exactly as sent (written as the line's `fields`). */
  fieldsJson: string;
  /** The exact text when it differs from `fieldsJson` (bare NaN / Infinity), else null. */
  fieldsText: string | null;
  /** Flat events whose keys were not in the Python client's order: where the columns stood. */
  layout: number[] | null;
  /**
   * Collector heads only (integrity/head-signer.ts): makes the fields JSON from the record just before this one,
   * called when the line is built (the head it signs covers exactly that record).
   */
  seal?: (lastId: number, lastHash: string) => string;
}

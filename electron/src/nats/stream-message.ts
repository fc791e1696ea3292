import { parseRecordLine, recordLine as sharedRecordLine, splitRecordLine, type JournalRecord } from '@ic-audit/shared';
import type { JsMsg } from 'nats';
import { sha256 } from '../journal/hash.js';

/** Header naming the collector (writer) whose journal a message comes from. */
export const COLLECTOR_HEADER = 'Ic-Audit-Collector';

/**
 * JetStream message id of a record: `<session>:<seq>` for a bot's WebSocket event (a bot resending to any
 * collector maps to the same id, so JetStream keeps one copy); `<collector>:<journal id>` for everything else
 * (session/gap records have seq 0; POST/legacy sessions are per collector).
 */
export function messageId(record: JournalRecord, collector: string): string {
  return record.seq > 0 && record.source === 'ws' ? `${record.session}:${record.seq}` : `${collector}:${record.id}`;
}

/** The exact journal line of a record (byte for byte what the journal wrote, so its hash verifies). */
export const recordLine = sharedRecordLine;

/** A record read back from the stream. */
export interface StreamRecord {
  /** Stream sequence: unique and rising across every writer; the console uses it as the record id. */
  streamSeq: number;
  /** Writer (collector id), '' when the header is missing. */
  collector: string;
  /** The record as its writer journaled it (`id`, `prev_hash`, `hash` are the writer's). */
  record: JournalRecord;
  /** True when the line's hash matches its bytes. */
  hashOk: boolean;
}

/** Parses a stream message; null when it is not a journal line (foreign message on the subject). */
export function decodeMessage(m: Pick<JsMsg, 'data' | 'headers' | 'seq'>): StreamRecord | null {
  const line = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).toString('utf8');
  const record = parseRecordLine(line);
  if (record === null || typeof record.session !== 'string') return null;
  const parts = splitRecordLine(line);
  return {
    streamSeq: m.seq,
    collector: m.headers?.get(COLLECTOR_HEADER) ?? '',
    record,
    hashOk: parts !== null && sha256(parts.body) === parts.hash,
  };
}

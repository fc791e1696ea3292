import {
  CollectorEvents,
  type EventFields,
  type FlatEvent,
  type ProjectInfo,
  type ProtocolError,
} from '@ic-audit/shared';
import { syntheticSessionId, type HelloMeta, type SessionState } from '../read-model/sessions.js';
import type { IngestTarget } from './api.js';
import { flatProject, type EventBody } from './journal-entries.js';

/** Longest excerpt of a refused message kept in its `ic-audit.refused` record. */
export const REFUSED_EXCERPT_LENGTH = 256;
/** Project of a refusal whose message names none (the Python server's own word for it). */
export const UNKNOWN_PROJECT = 'unknown_project';

/** What flat ingest needs of the collector: its hello, its appends and its clock. */
export interface FlatIngestHost extends Pick<IngestTarget, 'hello'> {
  storageRefusal(): ProtocolError | null;
  appendEvent(state: SessionState, seq: number, e: EventBody, now: number): void;
  appendInternal(state: SessionState, type: string, description: string, fields: EventFields): void;
  knownSession(id: string): SessionState | undefined;
  /** The collector's clock now, epoch seconds (what `received_at` says). */
  receivedNow(): number;
}

/** The hello metadata of a synthetic session (no SDK, host or pid: the flat protocols carry none). */
function syntheticMeta(source: HelloMeta['source']): HelloMeta {
  return { source, sdk: source, host: '', pid: 0, dropped: 0 };
}

/** Accepts flat seed-style events (POST, legacy, import): each project gets one synthetic session per source. */
export function acceptFlat(
  host: FlatIngestHost,
  events: readonly FlatEvent[],
  source: 'http' | 'legacy' | 'import',
  key: string,
): number | ProtocolError {
  const refusal = host.storageRefusal();
  if (refusal !== null) return refusal;
  const now = host.receivedNow();
  const meta = syntheticMeta(source);
  for (const e of events) {
    const result = host.hello(syntheticSessionId(source, key + '\u0000' + e.project_name), flatProject(e), meta, null);
    if ('ok' in result) return result;
    host.appendEvent(result.state, result.state.last_seq + 1, e, now);
  }
  return events.length;
}

/**
 * Accepts POSTed events under an `Idempotency-Key`: each (key, project) is one session whose seq is the event's
 * index in the body + 1, so the lines of a retried request fall at or below the session's stored seq and are
 * skipped like resent WebSocket seqs (across restarts too: sessions are rebuilt from the journal). Indexes skip
 * other projects' and rejected lines by design, so a jump is no gap. Returns the indexes skipped as duplicates.
 */
export function acceptFlatOnce(
  host: FlatIngestHost,
  events: readonly FlatEvent[],
  indexes: readonly number[],
  idempotencyKey: string,
): { accepted: number; duplicates: number[] } | ProtocolError {
  const refusal = host.storageRefusal();
  if (refusal !== null) return refusal;
  const now = host.receivedNow();
  const meta = syntheticMeta('http');
  const duplicates: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const seq = indexes[i]! + 1;
    const id = syntheticSessionId('http', 'idempotency-key\u0000' + idempotencyKey + '\u0000' + e.project_name);
    const result = host.hello(id, flatProject(e), meta, null);
    if ('ok' in result) return result;
    if (seq <= result.state.last_seq) duplicates.push(indexes[i]!);
    else host.appendEvent(result.state, seq, e, now);
  }
  return { accepted: events.length - duplicates.length, duplicates };
}

/**
 * Leaves a visible trace of a refused legacy / POST message, since the Python client discards replies: an
 * `ic-audit.refused` record (reason, code, size, a capped excerpt) in the project's stream, and its refused count.
 * Returns the session it was counted in, or null when the journal cannot take it either.
 */
export function refuse(
  host: FlatIngestHost,
  source: 'legacy' | 'http',
  project: ProjectInfo | null,
  code: string,
  reason: string,
  text: string,
): SessionState | null {
  if (host.storageRefusal() !== null) return null;
  const info: ProjectInfo = project ?? {
    project_name: UNKNOWN_PROJECT,
    project_market: '',
    project_description: '',
    project_privileges: [],
  };
  const id = syntheticSessionId(source, '\u0000' + info.project_name);
  const result = host.hello(id, host.knownSession(id)?.project ?? info, syntheticMeta(source), null);
  if ('ok' in result) return null;
  result.state.refused++;
  host.appendInternal(result.state, CollectorEvents.REFUSED, `Refused a ${source} message: ${reason}`, {
    code,
    reason,
    bytes: Buffer.byteLength(text),
    excerpt: text.slice(0, REFUSED_EXCERPT_LENGTH),
  });
  return result.state;
}

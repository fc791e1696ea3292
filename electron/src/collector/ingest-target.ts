import type { Collector } from './collector.js';

/** Something that can receive acks for a session (the session's current WebSocket connection). */
export interface AckSink {
  ack(seq: number): void;
}

/** What the HTTP server, WebSocket ingest and legacy TCP need from a collector. */
export type IngestTarget = Pick<
  Collector,
  | 'hello'
  | 'disconnected'
  | 'acceptEvents'
  | 'acceptFlat'
  | 'acceptFlatOnce'
  | 'drain'
  | 'dump'
  | 'health'
  | 'congested'
  | 'whenDrained'
  | 'refuse'
  | 'projectNames'
  | 'compactDump'
  | 'legacyDumpDir'
>;

/** Longest excerpt of a refused message kept in its `ic-audit.refused` record. */
export const REFUSED_EXCERPT_LENGTH = 256;
/** Project of a refusal whose message names none (the Python server's own word for it). */
export const UNKNOWN_PROJECT = 'unknown_project';

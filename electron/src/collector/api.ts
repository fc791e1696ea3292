import type {
  FlatEvent,
  ProtocolError,
  ReceivedEvent,
  DumpResult,
  HealthInfo,
  IntegrityFinding,
  IntegrityInfo,
  JournalRecord,
  ProjectInfo,
  SessionInfo,
} from '@ic-audit/shared';
import type { DumpOptions } from '../dump/dump-writer.js';
import type { RecordQuery } from '../read-model/query.js';
import type { HelloMeta, SessionState } from '../read-model/sessions.js';

export type { DumpOptions, HelloMeta, RecordQuery };

/**
 * The collector as the console (and the Electron shell) sees it. Implemented by `Collector`; everything here
 * is safe to call at any rate from the console layer.
 */
export interface CollectorApi {
  readonly dataDir: string;
  readonly version: string;
  /** Called with every batch of records once it is durable, in id order. Returns an unsubscribe function. */
  onRecords(listener: (records: readonly JournalRecord[]) => void): () => void;
  /** Called when a session's state changes (hello, close, dropped/gaps update). Returns an unsubscribe function. */
  onSession(listener: (session: SessionInfo) => void): () => void;
  /** Every known session (current and past, bounded). */
  sessions(): SessionInfo[];
  /** Project metadata by name (latest hello wins). */
  project(name: string): ProjectInfo | undefined;
  /** Newest records in memory, newest last, at most `limit`. */
  recent(limit: number): JournalRecord[];
  /** Runs a query; results newest first. */
  query(q: RecordQuery): Promise<JournalRecord[]>;
  /** Writes a dump. */
  dump(opts: DumpOptions): Promise<DumpResult>;
  /** Called with every dump written (its path), so the terminal and the console can say where it went. */
  onDumped?(listener: (result: DumpResult) => void): () => void;
  /** Walks the whole chain on disk. */
  verify(): Promise<IntegrityInfo>;
  /** What /healthz answers. */
  health(): HealthInfo;
  /** Checks a dump file against its signed manifest (absent in console-only mode, which holds no key). */
  verifyDump?(dump: Buffer, manifest: string): { ok: boolean; findings: IntegrityFinding[]; events: number };
}

/** Something that can receive acks for a session (the session's current WebSocket connection). */
export interface AckSink {
  ack(seq: number): void;
}

/** Where ingested events go: what the WebSocket ingest, POST /ingest and legacy TCP need from a collector. */
export interface IngestTarget {
  /** Registers a hello; the session's state, or why it is refused. */
  hello(
    session: string,
    project: ProjectInfo,
    meta: HelloMeta,
    sink: AckSink | null,
  ): { state: SessionState } | ProtocolError;
  /** The connection of `sink` closed (ignored when a newer connection owns the session). */
  disconnected(session: string, sink: AckSink): void;
  /** One frame of a session's events, accepted or refused as a whole; acks follow once durable. */
  acceptEvents(
    state: SessionState,
    events: readonly ReceivedEvent[],
  ): { accepted: number; duplicates: number } | ProtocolError;
  /** Flat events (POST, legacy, import): how many were appended, or why none. */
  acceptFlat(events: readonly FlatEvent[], source: 'http' | 'legacy' | 'import', key?: string): number | ProtocolError;
  /** POST with an Idempotency-Key: events seen under that key before are answered as duplicates. */
  acceptFlatOnce(
    events: readonly FlatEvent[],
    indexes: readonly number[],
    idempotencyKey: string,
  ): { accepted: number; duplicates: number[] } | ProtocolError;
  /** Resolves once everything appended so far is durable (and replicated). */
  drain(): Promise<void>;
  dump(opts: DumpOptions): Promise<DumpResult>;
  health(): HealthInfo;
  /** True while more events wait for the disk than the collector allows: stop reading connections. */
  congested(): boolean;
  /** Calls `resume` once the backlog is below the limit again. */
  whenDrained(resume: () => void): void;
  /** Records a refused message (an `ic-audit.refused` record) so no refusal is silent. */
  refuse(source: 'legacy' | 'http', project: ProjectInfo | null, code: string, reason: string, text: string): void;
  projectNames(): string[];
  /** Writes the v0.4.7 compact dump into the legacy dump folder; its path. */
  compactDump(filters: readonly string[]): Promise<string>;
  readonly legacyDumpDir: string;
}

/**
 * A group commit as the journal wrote it (journal.ts `CommittedBatch`), for a replicator that copies its bytes
 * instead of building record objects. Valid only during the call: copy what you keep.
 */
export interface CommittedLines {
  /** Id of the first record; ids rise by one per entry. */
  readonly firstId: number;
  /** The lines exactly as written, each ending in a newline. */
  readonly bytes: Buffer;
  /** Offset just past each line in `bytes`, its newline excluded. */
  readonly ends: Uint32Array;
  readonly entries: ReadonlyArray<{
    readonly session: string;
    readonly source: string;
    readonly projectName: string;
    readonly eventType: string;
    readonly receivedAt: number;
  }>;
}

/**
 * Where committed journal records are copied before they are acked (NATS JetStream in NATS mode, see
 * electron/src/nats/stream-publisher.ts). Without one the collector acks as soon as the journal is durable.
 */
export interface Replicator {
  /**
   * Takes records just made durable by the journal, in id order. Resolves once they, and every batch handed over
   * before them, are replicated; it never rejects (failures are retried until {@link close}).
   */
  replicate(records: readonly JournalRecord[]): Promise<void>;
  /** The same for a group commit's exact bytes, when the replicator can take them (no record objects made). */
  replicateLines?(batch: CommittedLines): Promise<void>;
  /** Records handed over and not replicated yet (counts toward the collector's `maxPendingEvents` refusal). */
  readonly pendingCount: number;
  /**
   * Records the replicator cannot send yet (beyond its in-flight window), which count toward the ingest pause like
   * events waiting for the disk; default `pendingCount`. Records in flight are bytes, not parsed objects.
   */
  readonly waitingCount?: number;
  /** Why replication is stalled right now, or null. */
  readonly fault: string | null;
  /** Resolves once everything handed over so far is replicated (or the replicator is closed). */
  drain(): Promise<void>;
  /** Waits (bounded) for pending replication, then disconnects. */
  close(): Promise<void>;
}

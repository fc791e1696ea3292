import type {
  DumpResult,
  HealthInfo,
  IntegrityFinding,
  IntegrityInfo,
  JournalRecord,
  ProjectInfo,
  SeedShape,
  SessionInfo,
} from '@ic-audit/shared';

/** What to put in a dump (CLI, ingest `dump` frame, console). */
export interface DumpOptions {
  /** Window in hours back from now; ignored when `all`. Default 30. */
  hours?: number;
  /** Every record regardless of age. */
  all?: boolean;
  /** Only these projects (empty or missing: all). */
  projects?: string[];
  /** Extra record filter applied while streaming (console "current filter" dumps). */
  filter?: (record: JournalRecord) => boolean;
  /** Output format; json is the seed's shape. Default json. */
  format?: 'json' | 'ndjson' | 'csv';
  /** Where to write; default `<data-dir>/dumps/dumped_audit_trails.json` (ndjson/csv change the extension). */
  out?: string;
  /**
   * Seed JSON only: the Python server version whose shape to write (see shared `SeedShape`); default v0.3, and
   * v0.4.7 when a v0.4.7 client asked (its own command, or its boot events in the dump).
   */
  shape?: SeedShape | 'auto';
}

/** Query over the journal: the in-memory window first, then streamed from disk when `before` reaches past it. */
export interface RecordQuery {
  /** Only records with id < before (page backwards). */
  before?: number;
  /** Collector-time window, epoch seconds. */
  since?: number;
  until?: number;
  /** Predicate applied to each record (built by the caller from project/type/text/field filters). */
  match?: (record: JournalRecord) => boolean;
  /** At most this many records, newest first. */
  limit: number;
  /** Include collector-written records (source "collector": sessions, gaps, refusals). Default false. */
  includeInternal?: boolean;
}

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

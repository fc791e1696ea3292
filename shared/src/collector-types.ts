import type { ProjectInfo } from './protocol.js';

/** Live state of one bot session, as the collector tracks it (from hello + events), shown by the console. */
export interface SessionInfo {
  session: string;
  project: ProjectInfo;
  source: 'ws' | 'http' | 'legacy' | 'import';
  sdk: string;
  host: string;
  pid: number;
  connected: boolean;
  /** Collector clock (epoch seconds) of the last frame or event from this session. */
  last_seen: number;
  /** Collector clock of the hello that started the session. */
  started_at: number;
  /** Events stored for this session. */
  events: number;
  /** Of which `error` events. */
  errors: number;
  /** Highest seq stored (accepted) and highest seq durable. */
  last_seq: number;
  acked: number;
  /** Number of seq jumps and the events they skipped. */
  gaps: number;
  missing: number;
  /** Events the client itself says it dropped (hello `dropped`, latest). */
  dropped: number;
  /**
   * Messages refused on the legacy path (too large, not an event): each leaves an `ic-audit.refused` record, since
   * the Python client never reads the reply.
   */
  refused: number;
  /** Median of (collector receive time - bot timestamp) over recent events, in seconds. */
  clock_offset: number;
}

/** Result of walking the hash chain. */
export interface IntegrityInfo {
  ok: boolean;
  /** Records checked. */
  records: number;
  /** First record id that failed, when not ok. */
  first_bad_id: number | null;
  /** Human sentence: "chain intact" or what broke where. */
  message: string;
  /** Collector clock of the check. */
  checked_at: number;
  /** Signed heads, witness and start-up checks (docs/integrity.md); absent from collectors before signed heads. */
  findings?: IntegrityFinding[];
  /** Newest signed head seen by the check, and the public key fingerprint it was checked against. */
  heads?: {
    count: number;
    newest_n: number | null;
    newest_at: string | null;
    newest_last_id: number | null;
    key: string | null;
  };
}

/** GET /healthz body. */
export interface HealthInfo {
  status: 'ok' | 'degraded';
  version: string;
  events: number;
  sessions: number;
  connected: number;
  integrity: IntegrityInfo;
  journal: { writable: boolean; error: string | null; pending: number; torn_files: string[] };
  uptime_s: number;
  /** How the port is served: TLS or not, and the warning shown while a non-loopback bind is plaintext. */
  transport?: { tls: boolean; warning: string | null };
}

/** What a dump wrote. */
export interface DumpResult {
  path: string;
  manifest: string;
  projects: number;
  events: number;
  /**
   * Set when the dump is not the whole trail in its window: a NATS console met stream messages of ours it could not
   * read (their records are not in the file; the manifest lists them under `source_unreadable`).
   */
  warning?: string;
}

/** A stream message a NATS console could not read while dumping (manifest `source_unreadable`). */
export interface UnreadableSource {
  stream_seq: number;
  reason: string;
}

/** One thing an integrity check found beyond the hash chain (signed heads, witness, start-up); `code` is stable. */
export interface IntegrityFinding {
  /** Stable code, listed in docs/protocol.md (E_JOURNAL_SHORT, E_HEAD_SIGNATURE, ...). */
  code: string;
  /** error: tampering or loss proven; warning: cannot be told apart from a crash without a witness. */
  severity: 'error' | 'warning';
  message: string;
}

// Settings of NATS mode. Imports nothing from the `nats` package, so local mode never loads it.

/** NATS mode settings of a collector or console (`--nats ...`); null in CollectorConfig means local mode. */
export interface NatsConfig {
  /** Server URLs (`nats://host:4222`, `tls://...`, `nats://user:pass@host:4222`); the client fails over between them. */
  servers: string[];
  /** NATS credentials file (JWT + nkey seed), or null. */
  creds: string | null;
  /** CA certificate file for `tls://` servers signed by a private CA, or null. */
  ca: string | null;
  /** Stream name. */
  stream: string;
  /** Replicas when this process creates the stream (1..5; 3 survives the loss of one server). */
  replicas: number;
  /** Whether batch messages are published compressed ({@link NatsCompress}). */
  compress: NatsCompress;
}

/**
 * `on`: every batch of 1 KiB or more is published compressed (Brotli) when that is smaller; `off`: plain lines (for
 * readers of an older version, or a collector that cannot spare ~0.8 µs of CPU per event).
 */
export type NatsCompress = 'on' | 'off';

/**
 * Stream settings used when the stream does not exist yet, and the NATS-mode tunables (docs/scaling.md).
 * An existing stream is used as it is, whatever its settings.
 */
export const NATS_DEFAULTS = Object.freeze({
  /** Stream name. */
  stream: 'IC_AUDIT',
  /** Subjects are `ic-audit.events.<encoded project name>`. */
  subjectPrefix: 'ic-audit.events',
  /** Replicas: 3 keeps every acked event on three servers' disks (needs at least 3 JetStream servers). */
  replicas: 3,
  /** JetStream drops a message whose id (`<collector>:<first>-<last>`) it already stored within this window. */
  duplicateWindowMs: 5 * 60_000,
  /** Limits retention; nothing expires by default (0 = keep forever): the stream is the audit trail. */
  retention: 'limits' as const,
  maxAgeMs: 0,
  /** File storage: survives a server restart. */
  storage: 'file' as const,
  /** How long one publish waits for JetStream's ack before it is sent again (same msg id: no duplicate). */
  publishTimeoutMs: 5_000,
  /** Batch messages published and not yet acknowledged by JetStream (the publish pipeline's depth). */
  maxInFlight: 256,
  /** Records in those messages; records beyond the window count toward the collector's ingest pause. */
  maxInFlightRecords: 16_384,
  /**
   * Batch payloads are published compressed (header `Ic-Audit-Encoding: br`): ~9x fewer bytes for every server to
   * receive, replicate and keep ({@link NatsCompress}; docs/scaling.md, "Message format").
   */
  compress: 'on',
  /** Window a console-only instance replays on start (the dump's default window). */
  replayHours: 30,
});

/** The flags and env variables of NATS mode (see config.ts `ENV`). */
export interface NatsFlags {
  nats?: string | undefined;
  natsCreds?: string | undefined;
  natsCa?: string | undefined;
  natsStream?: string | undefined;
  natsReplicas?: string | undefined;
  natsCompress?: string | undefined;
}

/** Builds the NATS settings from flags over env; null when NATS is off; a message string for a bad value. */
export function natsConfigFrom(flags: NatsFlags, env: Record<string, string | undefined>): NatsConfig | null | string {
  const list = flags.nats ?? env['IC_AUDIT_NATS'] ?? '';
  if (list.trim() === '') return null;
  const servers = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = servers.find((s) => !/^(nats|tls|ws|wss):\/\/[^\s]+$/.test(s) && !/^[\w.-]+:\d+$/.test(s));
  if (bad !== undefined) return `--nats: ${JSON.stringify(bad)} is not a NATS URL (nats://host:4222)`;
  const replicasRaw = flags.natsReplicas ?? env['IC_AUDIT_NATS_REPLICAS'] ?? String(NATS_DEFAULTS.replicas);
  const replicas = Number(replicasRaw);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    return `--nats-replicas must be 1-5, got ${JSON.stringify(replicasRaw)}`;
  const stream = flags.natsStream ?? env['IC_AUDIT_NATS_STREAM'] ?? NATS_DEFAULTS.stream;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream))
    return `--nats-stream must be 1-64 of A-Z a-z 0-9 _ -, got ${JSON.stringify(stream)}`;
  const compress = flags.natsCompress ?? env['IC_AUDIT_NATS_COMPRESS'] ?? NATS_DEFAULTS.compress;
  if (compress !== 'on' && compress !== 'off')
    return `--nats-compress must be on or off, got ${JSON.stringify(compress)}`;
  const orNull = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);
  return {
    servers,
    creds: orNull(flags.natsCreds ?? env['IC_AUDIT_NATS_CREDS']),
    ca: orNull(flags.natsCa ?? env['IC_AUDIT_NATS_CA']),
    stream,
    replicas,
    compress,
  };
}

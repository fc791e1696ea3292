import { DEFAULT_DUMP_HOURS, DEFAULT_HOST, DEFAULT_PORT, MAX_EVENTS_PER_FRAME } from '@ic-audit/shared';

/** Environment variables the SDK reads when an option is not given. */
export const ENV = {
  /** Collector ingest URL, e.g. `ws://127.0.0.1:9324/ingest`. */
  url: 'IC_AUDIT_URL',
  /** Ingest token (only when the collector requires one). */
  token: 'IC_AUDIT_TOKEN',
  /** PEM CA file trusted for `wss://` besides the system store (a firm's private CA). */
  caFile: 'IC_AUDIT_CA',
  /** SHA-256 fingerprint the collector's certificate must have (`wss://` only). */
  certFingerprint: 'IC_AUDIT_CERT_FINGERPRINT',
  /** PEM client certificate for a collector that requires one (mutual TLS). */
  clientCertFile: 'IC_AUDIT_CLIENT_CERT',
  /** PEM key of the client certificate. */
  clientKeyFile: 'IC_AUDIT_CLIENT_KEY',
} as const;

/**
 * Every option default of the SDK, in one place (the README's options table lists the same values).
 * Sizes are chosen so that a bot that logs hard for a few minutes while the console is down loses nothing,
 * yet the SDK can never hold more than ~96 MiB of the bot's memory (64 MiB of events plus the byte store's headroom).
 */
export const DEFAULTS = Object.freeze({
  /** Collector ingest URL when neither the option nor `IC_AUDIT_URL` is set. */
  url: `ws://${DEFAULT_HOST}:${DEFAULT_PORT}/ingest`,
  /** Most events kept until acked (boot included); beyond it the oldest unacked are dropped and counted. */
  bufferMaxEvents: 100_000,
  /** Most bytes (UTF-8 of the serialized events) kept until acked; beyond it the oldest are dropped. */
  bufferMaxBytes: 64 * 1024 * 1024,
  /** Most events per `events` frame (capped at the protocol's MAX_EVENTS_PER_FRAME). */
  batchMaxEvents: MAX_EVENTS_PER_FRAME,
  /**
   * Most bytes per `events` frame (capped at the protocol's MAX_FRAME_BYTES). Kept under V8's large-object size
   * (~128 KiB for the frame's text at the collector): a larger frame becomes a string in fresh memory there, which
   * costs more to decode and parse per event than several smaller frames.
   */
  batchMaxBytes: 60 * 1024,
  /**
   * How long after a `send()` the batch step (serialize, then send) runs while a frame is in flight; on an idle
   * link it runs on the next turn of the event loop, and an ack that leaves the link idle runs it at once.
   */
  flushIntervalMs: 5,
  /** Most events sent but not yet acked; more wait for acks (flow control). */
  maxInflightEvents: 10_000,
  /** First reconnect delay ceiling; each failure doubles it (full jitter: the real delay is random below it). */
  backoffBaseMs: 100,
  /** Largest reconnect delay ceiling. */
  backoffCapMs: 5_000,
  /** Give up on a connection attempt (TCP + upgrade + welcome) after this long. */
  connectTimeoutMs: 5_000,
  /** Default wait of `flush()` and `close()`. */
  flushTimeoutMs: 5_000,
  /** Longest the best-effort flush on `beforeExit` may keep a finished process alive. */
  exitFlushTimeoutMs: 2_000,
  /** Default bound of `fastAudit()`. */
  fastAuditTimeoutMs: 3_000,
  /** Default bound of `triggerAuditDumping()`. */
  dumpTimeoutMs: 10_000,
  /** Default dump window of `triggerAuditDumping()`, in hours (the seed's 30). */
  dumpHours: DEFAULT_DUMP_HOURS,
  /** Print one line to stderr the first time each problem happens (never more). */
  debug: false,
});

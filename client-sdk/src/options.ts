import { MAX_EVENTS_PER_FRAME, MAX_FRAME_BYTES, type ProjectPrivilege } from '@ic-audit/shared';
import { DEFAULTS, ENV } from './defaults.js';
import type { WebSocketConstructor } from './transport.js';

/** Options of {@link AuditNotifier}; every omitted tuning option takes its value from {@link DEFAULTS}. */
export interface AuditNotifierOptions {
  /** The project (bot) name events are filed under. */
  projectName: string;
  /** Market the project trades, e.g. "FOREX". */
  projectMarket: string;
  /** What the project does. */
  projectDescription?: string;
  /** What the project may do: one privilege or a list (see ProjectPrivileges). */
  projectPrivileges?: ProjectPrivilege | readonly ProjectPrivilege[];
  /** Collector ingest URL; default `IC_AUDIT_URL`, else `ws://127.0.0.1:9324/ingest`. */
  url?: string;
  /** Ingest token; default `IC_AUDIT_TOKEN` (only needed when the collector requires one). */
  token?: string;
  /** `wss://` only: PEM CA file trusted besides the system store; default `IC_AUDIT_CA`. */
  caFile?: string;
  /** `wss://` only: SHA-256 fingerprint the collector's certificate must have; default `IC_AUDIT_CERT_FINGERPRINT`. */
  certFingerprint?: string;
  /** `wss://` only: PEM client certificate for a collector that requires one; default `IC_AUDIT_CLIENT_CERT`. */
  clientCertFile?: string;
  /** Key of `clientCertFile`; default `IC_AUDIT_CLIENT_KEY`. */
  clientKeyFile?: string;
  bufferMaxEvents?: number;
  bufferMaxBytes?: number;
  batchMaxEvents?: number;
  batchMaxBytes?: number;
  flushIntervalMs?: number;
  maxInflightEvents?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  connectTimeoutMs?: number;
  flushTimeoutMs?: number;
  exitFlushTimeoutMs?: number;
  debug?: boolean;
  /** WebSocket constructor to use instead of the default (`ws` in Node, the global one elsewhere). */
  webSocket?: WebSocketConstructor;
}

/** Options after defaults, environment and clamping: always usable. */
export interface ResolvedOptions {
  url: string;
  token: string | undefined;
  caFile: string | undefined;
  certFingerprint: string | undefined;
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  bufferMaxEvents: number;
  bufferMaxBytes: number;
  batchMaxEvents: number;
  batchMaxBytes: number;
  flushIntervalMs: number;
  maxInflightEvents: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  connectTimeoutMs: number;
  flushTimeoutMs: number;
  exitFlushTimeoutMs: number;
  debug: boolean;
  webSocket: WebSocketConstructor | undefined;
}

/** Reads an environment variable where there is a `process` (never throws). */
export function envVar(name: string): string | undefined {
  try {
    const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
    return typeof v === 'string' && v.length > 0 ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A finite number in [min, max], else the default. */
export function num(v: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.floor(v))) : fallback;
}

/** Resolves options against {@link DEFAULTS} and the environment; garbage in gives defaults, never an exception. */
export function resolveOptions(o: Partial<AuditNotifierOptions> | undefined): ResolvedOptions {
  const opts = typeof o === 'object' && o !== null ? o : {};
  const url = typeof opts.url === 'string' && opts.url.length > 0 ? opts.url : (envVar(ENV.url) ?? DEFAULTS.url);
  const token = typeof opts.token === 'string' && opts.token.length > 0 ? opts.token : envVar(ENV.token);
  const str = (v: unknown, env: string): string | undefined =>
    typeof v === 'string' && v.length > 0 ? v : envVar(env);
  const backoffBaseMs = num(opts.backoffBaseMs, DEFAULTS.backoffBaseMs, 1);
  return {
    url,
    token,
    caFile: str(opts.caFile, ENV.caFile),
    certFingerprint: str(opts.certFingerprint, ENV.certFingerprint),
    clientCertFile: str(opts.clientCertFile, ENV.clientCertFile),
    clientKeyFile: str(opts.clientKeyFile, ENV.clientKeyFile),
    bufferMaxEvents: num(opts.bufferMaxEvents, DEFAULTS.bufferMaxEvents, 1),
    bufferMaxBytes: num(opts.bufferMaxBytes, DEFAULTS.bufferMaxBytes, 1),
    batchMaxEvents: num(opts.batchMaxEvents, DEFAULTS.batchMaxEvents, 1, MAX_EVENTS_PER_FRAME),
    // The frame wrapper adds ~30 bytes; leave room so a full batch is always under the collector's limit.
    batchMaxBytes: num(opts.batchMaxBytes, DEFAULTS.batchMaxBytes, 1024, MAX_FRAME_BYTES - 1024),
    flushIntervalMs: num(opts.flushIntervalMs, DEFAULTS.flushIntervalMs, 0),
    maxInflightEvents: num(opts.maxInflightEvents, DEFAULTS.maxInflightEvents, 1),
    backoffBaseMs,
    backoffCapMs: num(opts.backoffCapMs, DEFAULTS.backoffCapMs, backoffBaseMs),
    connectTimeoutMs: num(opts.connectTimeoutMs, DEFAULTS.connectTimeoutMs, 1),
    flushTimeoutMs: num(opts.flushTimeoutMs, DEFAULTS.flushTimeoutMs, 0),
    exitFlushTimeoutMs: num(opts.exitFlushTimeoutMs, DEFAULTS.exitFlushTimeoutMs, 0),
    debug: opts.debug === true,
    webSocket: typeof opts.webSocket === 'function' ? opts.webSocket : undefined,
  };
}

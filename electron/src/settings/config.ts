import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_HOST, DEFAULT_PORT } from '@ic-audit/shared';
import { natsConfigFrom, type NatsConfig } from './nats-config.js';

/** Collector settings; every default lives in {@link DEFAULTS}. */
export interface CollectorConfig {
  /**
   * Bind address. Loopback by default; anything else requires TLS (`tlsCert` + `tlsKey`) or `allowPlaintext`, and
   * `ingestToken` or `tlsClientCa`.
   */
  host: string;
  /** TCP port for ingest, console and legacy clients (0 picks a free one). */
  port: number;
  /** Data directory: journal, dumps, console token. */
  dataDir: string;
  /** When set, every ingest client (hello `token`, POST `Authorization: Bearer`) must present it; legacy TCP is off. */
  ingestToken: string | null;
  /** Most records kept in memory for the console's recent window. */
  recentWindow: number;
  /** Most bytes of journal lines the recent window holds (allocated once, up front). */
  recentWindowBytes: number;
  /** WebSocket ping interval; a client silent for two intervals is cut. */
  heartbeatMs: number;
  /** Most events waiting for the disk before new events are refused with E_STORAGE (backpressure). */
  maxPendingEvents: number;
  /**
   * Events waiting for the disk at which WebSocket ingest stops reading from its sockets (TCP then slows the bots);
   * reading resumes at a quarter of it. Keeps the backlog in kernel buffers instead of the JS heap.
   */
  ingestPauseAt: number;
  /** Directory of the built renderer served at `/` (null: a placeholder page). */
  rendererDir: string | null;
  /** Write a start-up checkpoint after this many records (and on a clean stop). */
  checkpointEvery: number;
  /** NATS JetStream scale-out (docs/scaling.md); null: local mode, the embedded journal only. */
  nats: NatsConfig | null;
  /** Serve the console from the NATS stream, with no local ingest (requires `nats`). */
  consoleOnly: boolean;
  /**
   * Where dumps asked for by the Python tool's clients (`dump_audit_trails`, `dump_compact`, ...) are written; null:
   * `<dataDir>/dumps`. Each dump's path is printed and shown in the console.
   */
  legacyDumpDir: string | null;
  /**
   * Private signing key file (PEM, 0600), outside the journal folder; null: `<config dir>/signing-key.pem` for the
   * default data dir, `<config dir>/keys/<data dir>-<hash>.pem` for others (see integrity/signing-key.ts).
   */
  keyFile: string | null;
  /** Sign a head this often while running (docs/integrity.md). */
  headIntervalMs: number;
  /** Append every signed head to this file too (on another volume: an outside witness), or null. */
  witnessFile: string | null;
  /** PEM certificate (chain) served on the port; with `tlsKey` the one port speaks HTTPS and WSS only. */
  tlsCert: string | null;
  /** PEM private key of `tlsCert`. */
  tlsKey: string | null;
  /** PEM CA bundle: ingest then requires a client certificate it issued (the ingest token becomes optional). */
  tlsClientCa: string | null;
  /** Serve a non-loopback bind without TLS anyway (tokens and trades then cross the network in cleartext). */
  allowPlaintext: boolean;
}

/** Defaults for {@link CollectorConfig}, listed in docs/architecture.md ("Collector settings"). */
export const DEFAULTS: Readonly<CollectorConfig> = Object.freeze({
  host: DEFAULT_HOST,
  port: DEFAULT_PORT,
  dataDir: join(homedir(), '.ic-audit'),
  ingestToken: null,
  recentWindow: 100_000,
  recentWindowBytes: 64 << 20,
  heartbeatMs: 15_000,
  maxPendingEvents: 200_000,
  ingestPauseAt: 1_024,
  rendererDir: null,
  checkpointEvery: 100_000,
  nats: null,
  consoleOnly: false,
  legacyDumpDir: null,
  keyFile: null,
  headIntervalMs: 60_000,
  witnessFile: null,
  tlsCert: null,
  tlsKey: null,
  tlsClientCa: null,
  allowPlaintext: false,
});

/** Environment variables read by {@link resolveConfig}. */
export const ENV = {
  host: 'IC_AUDIT_HOST',
  port: 'IC_AUDIT_PORT',
  dataDir: 'IC_AUDIT_HOME',
  ingestToken: 'IC_AUDIT_INGEST_TOKEN',
  nats: 'IC_AUDIT_NATS',
  natsCreds: 'IC_AUDIT_NATS_CREDS',
  natsCa: 'IC_AUDIT_NATS_CA',
  natsStream: 'IC_AUDIT_NATS_STREAM',
  natsReplicas: 'IC_AUDIT_NATS_REPLICAS',
  natsCompress: 'IC_AUDIT_NATS_COMPRESS',
  consoleOnly: 'IC_AUDIT_CONSOLE_ONLY',
  legacyDumpDir: 'IC_AUDIT_LEGACY_DUMP_DIR',
  keyFile: 'IC_AUDIT_KEY_FILE',
  witnessFile: 'IC_AUDIT_WITNESS_FILE',
  headInterval: 'IC_AUDIT_HEAD_INTERVAL',
  tlsCert: 'IC_AUDIT_TLS_CERT',
  tlsKey: 'IC_AUDIT_TLS_KEY',
  tlsClientCa: 'IC_AUDIT_TLS_CLIENT_CA',
  allowPlaintext: 'IC_AUDIT_ALLOW_PLAINTEXT',
} as const;

/** Flags a CLI or the Electron shell may pass; undefined means "not given". */
export interface ConfigFlags {
  host?: string | undefined;
  port?: string | number | undefined;
  dataDir?: string | undefined;
  ingestToken?: string | undefined;
  /** `URL[,URL...]` of NATS servers (NATS mode). */
  nats?: string | undefined;
  natsCreds?: string | undefined;
  natsCa?: string | undefined;
  natsStream?: string | undefined;
  natsReplicas?: string | undefined;
  natsCompress?: string | undefined;
  consoleOnly?: boolean | undefined;
  /** Folder for dumps the Python tool's clients ask for. */
  legacyDumpDir?: string | undefined;
  keyFile?: string | undefined;
  witnessFile?: string | undefined;
  /** Seconds between signed heads. */
  headInterval?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsClientCa?: string | undefined;
  allowPlaintext?: boolean | undefined;
}

/** Thrown for a setting that cannot work; `code` is stable. */
export class ConfigError extends Error {
  /** Stable code: E_CONFIG. */
  readonly code = 'E_CONFIG';
}

/** An absolute path (with `~/` expanded) from a flag or variable, or null when unset. */
function pathSetting(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  return resolve(raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : raw);
}

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The warning of a non-loopback bind without TLS (`--allow-plaintext`), or null; printed at start and in the console. */
export function plaintextWarning(config: Pick<CollectorConfig, 'host' | 'tlsCert'>): string | null {
  if (config.tlsCert !== null || isLoopback(config.host)) return null;
  return `plaintext on ${config.host} (--allow-plaintext): the ingest token, the console token and every event cross the network unencrypted; give --tls-cert and --tls-key (docs/security.md)`;
}

/** Merges flags over env over {@link DEFAULTS}; pure apart from reading `env`. Throws ConfigError on bad values. */
export function resolveConfig(
  flags: ConfigFlags,
  envIn: Record<string, string | undefined> = process.env,
  overrides: Partial<CollectorConfig> = {},
): CollectorConfig {
  // An empty variable is an unset one (`export IC_AUDIT_PORT=`): it must never mean port 0, no token or the
  // current folder. An empty flag is a mistake and is refused below.
  const env = Object.fromEntries(Object.entries(envIn).filter(([, v]) => v !== ''));
  for (const [flag, value] of [
    ['--host', flags.host],
    ['--port', flags.port],
    ['--data-dir', flags.dataDir],
  ] as const) {
    if (value === '') throw new ConfigError(`${flag} needs a value`);
  }
  const host = flags.host ?? env[ENV.host] ?? DEFAULTS.host;
  const portRaw = flags.port ?? env[ENV.port] ?? DEFAULTS.port;
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`port must be an integer 0-65535, got ${JSON.stringify(String(portRaw))}`);
  }
  const dirRaw = flags.dataDir ?? env[ENV.dataDir] ?? DEFAULTS.dataDir;
  const dataDir = resolve(dirRaw.startsWith('~/') ? join(homedir(), dirRaw.slice(2)) : dirRaw);
  const token = flags.ingestToken ?? env[ENV.ingestToken] ?? null;
  const ingestToken = token === null || token === '' ? null : token;
  const tlsCert = pathSetting(flags.tlsCert ?? env[ENV.tlsCert]);
  const tlsKey = pathSetting(flags.tlsKey ?? env[ENV.tlsKey]);
  const tlsClientCa = pathSetting(flags.tlsClientCa ?? env[ENV.tlsClientCa]);
  const allowPlaintext = flags.allowPlaintext ?? ['1', 'true', 'yes'].includes(env[ENV.allowPlaintext] ?? '');
  if ((tlsCert === null) !== (tlsKey === null)) {
    throw new ConfigError(`TLS needs both --tls-cert and --tls-key (or ${ENV.tlsCert} and ${ENV.tlsKey})`);
  }
  if (tlsClientCa !== null && tlsCert === null) throw new ConfigError('--tls-client-ca needs --tls-cert and --tls-key');
  if (!isLoopback(host) && ingestToken === null && tlsClientCa === null) {
    throw new ConfigError(
      `refusing to listen on ${host} without an ingest token: anyone on the network could write the audit trail. ` +
        `Set --ingest-token (or ${ENV.ingestToken}), require client certificates (--tls-client-ca), or bind 127.0.0.1.`,
    );
  }
  if (!isLoopback(host) && tlsCert === null && !allowPlaintext) {
    throw new ConfigError(
      `refusing to listen on ${host} without TLS: the ingest token, the console token and every trade would cross the ` +
        `network in cleartext. Give --tls-cert FILE --tls-key FILE (docs/security.md), or --allow-plaintext to accept that.`,
    );
  }
  const nats = natsConfigFrom(flags, env);
  if (typeof nats === 'string') throw new ConfigError(nats);
  const consoleOnly = flags.consoleOnly ?? ['1', 'true', 'yes'].includes(env[ENV.consoleOnly] ?? '');
  if (consoleOnly && nats === null)
    throw new ConfigError(`--console-only reads the NATS stream: give --nats URL (or ${ENV.nats})`);
  const keyFile = pathSetting(flags.keyFile ?? env[ENV.keyFile]);
  const witnessFile = pathSetting(flags.witnessFile ?? env[ENV.witnessFile]);
  const intervalRaw = flags.headInterval ?? env[ENV.headInterval];
  const headIntervalMs = intervalRaw === undefined ? DEFAULTS.headIntervalMs : Math.round(Number(intervalRaw) * 1000);
  if (!(headIntervalMs >= 50 && headIntervalMs <= 3_600_000)) {
    throw new ConfigError(
      `--head-interval must be seconds between 0.05 and 3600, got ${JSON.stringify(String(intervalRaw))}`,
    );
  }
  const legacyRaw = flags.legacyDumpDir ?? env[ENV.legacyDumpDir] ?? null;
  const legacyDumpDir =
    legacyRaw === null || legacyRaw === ''
      ? null
      : resolve(legacyRaw.startsWith('~/') ? join(homedir(), legacyRaw.slice(2)) : legacyRaw);
  const config: CollectorConfig = {
    ...DEFAULTS,
    host,
    port,
    dataDir,
    ingestToken,
    nats,
    consoleOnly,
    keyFile,
    witnessFile,
    headIntervalMs,
    legacyDumpDir,
    tlsCert,
    tlsKey,
    tlsClientCa,
    allowPlaintext,
    ...overrides,
  };
  if (!isAbsolute(config.dataDir)) config.dataDir = resolve(config.dataDir);
  return config;
}

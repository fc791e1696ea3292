import type { CollectorConfig } from './config.js';
import type { CollectorApi } from './collector/api.js';
import { Collector } from './collector/collector.js';
import type { KeyStore } from './integrity/signing-key.js';
import type { StreamPublisher } from './nats/stream-publisher.js';
import { consoleToken, ensureDataDir } from './data-dir.js';
import { acquireLock } from './data-dir-lock.js';
import { startServer, type ConsoleHandler } from './server/http-server.js';

/** A running collector: core + server, as `ic-audit serve` and the Electron shell use it. */
export interface RunningCollector {
  /** The collector, or in console-only mode the console's view of the NATS stream. */
  collector: CollectorApi;
  port: number;
  token: string;
  ingestUrl: string;
  consoleUrl: string;
  /** Re-reads the TLS certificate and key for new connections (SIGHUP); null, or why they were not taken. */
  reloadTls(): string | null;
  /** Stops accepting, commits what was received, closes the journal and releases the data dir. */
  stop(): Promise<void>;
}

/** Builds the console handler for a collector (the console module plugs in here). */
export type ConsoleFactory = (collector: CollectorApi, token: string) => ConsoleHandler | null;

/** Starts the collector on `config`. Throws DataDirError / ConfigError / a listen error (EADDRINUSE). */
export async function startCollector(
  config: CollectorConfig,
  makeConsole?: ConsoleFactory,
  keyStore: KeyStore | null = null,
): Promise<RunningCollector> {
  // NATS mode (docs/scaling.md) loads the NATS client only when configured.
  if (config.consoleOnly) return (await import('./nats/console-only.js')).startConsoleOnly(config, makeConsole);
  ensureDataDir(config.dataDir);
  const release = await acquireLock(config.dataDir);
  let collector: Collector | null = null;
  let replicator: StreamPublisher | null = null;
  try {
    const token = consoleToken(config.dataDir);
    // NATS mode: publish the journal backlog first, then ack only what JetStream acknowledged.
    replicator =
      config.nats === null
        ? null
        : await (await import('./nats/stream-publisher.js')).openStreamPublisher(config.nats, config.dataDir);
    collector = await Collector.open(config, undefined, replicator, keyStore);
    replicator?.watchSessions(collector);
    const c = collector;
    const handler = makeConsole?.(c, token) ?? null;
    const server = await startServer(config, c, token, handler);
    const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
    let stopped: Promise<void> | null = null;
    return {
      collector: c,
      port: server.port,
      token,
      ingestUrl: `${server.tls ? 'wss' : 'ws'}://${shownHost}:${server.port}/ingest`,
      consoleUrl: `${server.tls ? 'https' : 'http'}://${shownHost}:${server.port}/?token=${token}`,
      reloadTls: () => server.reloadTls(),
      stop: () =>
        (stopped ??= (async () => {
          // Refuse new events and commit (and ack) what was received, then close the connections.
          await c.close();
          await server.close();
          release();
        })()),
    };
  } catch (err) {
    if (collector !== null) await collector.close();
    else await replicator?.close();
    release();
    throw err;
  }
}

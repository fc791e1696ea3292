import type { CollectorConfig } from './config.js';
import { Collector } from './collector/collector.js';
import { acquireLock, consoleToken, ensureDataDir } from './data-dir.js';
import { startServer, type ConsoleHandler } from './server/http-server.js';

/** A running collector: core + server, as `ic-audit serve` and the Electron shell use it. */
export interface RunningCollector {
  collector: Collector;
  port: number;
  token: string;
  ingestUrl: string;
  consoleUrl: string;
  /** Stops accepting, commits what was received, closes the journal and releases the data dir. */
  stop(): Promise<void>;
}

/** Builds the console handler for a collector (the console module plugs in here). */
export type ConsoleFactory = (collector: Collector, token: string) => ConsoleHandler | null;

/** Starts the collector on `config`. Throws DataDirError / ConfigError / a listen error (EADDRINUSE). */
export async function startCollector(config: CollectorConfig, makeConsole?: ConsoleFactory): Promise<RunningCollector> {
  ensureDataDir(config.dataDir);
  const release = acquireLock(config.dataDir);
  let collector: Collector | null = null;
  try {
    const token = consoleToken(config.dataDir);
    collector = await Collector.open(config);
    const c = collector;
    const handler = makeConsole?.(c, token) ?? null;
    const server = await startServer(config, c, token, handler);
    const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
    let stopped: Promise<void> | null = null;
    return {
      collector: c,
      port: server.port,
      token,
      ingestUrl: `ws://${shownHost}:${server.port}/ingest`,
      consoleUrl: `http://${shownHost}:${server.port}/?token=${token}`,
      stop: () =>
        (stopped ??= (async () => {
          // Refuse new events and commit (and ack) what was received, then close the connections.
          await c.close();
          await server.close();
          release();
        })()),
    };
  } catch (err) {
    await collector?.close();
    release();
    throw err;
  }
}

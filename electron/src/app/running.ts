import type { CollectorApi } from '../collector/api.js';
import type { CollectorConfig } from '../settings/config.js';
import { startServer, type ConsoleHandler, type ServerSource } from '../server/http-server.js';

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

/** What `serveSource` needs besides the server's own settings. */
export interface ServeParts {
  api: CollectorApi;
  source: ServerSource;
  token: string;
  makeConsole: ConsoleFactory | undefined;
  /** Shown instead of the ingest URL when the instance takes no events. */
  noIngestUrl?: string;
  /** Runs once on stop, before (`first`) and after (`last`) the server closes. */
  first(): Promise<void>;
  last(): Promise<void>;
}

/** Starts the one port for `parts` and wraps it as a RunningCollector whose stop runs once. */
export async function serveSource(config: CollectorConfig, parts: ServeParts): Promise<RunningCollector> {
  const handler = parts.makeConsole?.(parts.api, parts.token) ?? null;
  const server = await startServer(config, parts.source, parts.token, handler);
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  let stopped: Promise<void> | null = null;
  return {
    collector: parts.api,
    port: server.port,
    token: parts.token,
    ingestUrl: parts.noIngestUrl ?? `${server.tls ? 'wss' : 'ws'}://${shownHost}:${server.port}/ingest`,
    consoleUrl: `${server.tls ? 'https' : 'http'}://${shownHost}:${server.port}/?token=${parts.token}`,
    reloadTls: () => server.reloadTls(),
    stop: () =>
      (stopped ??= (async () => {
        await parts.first();
        await server.close();
        await parts.last();
      })()),
  };
}

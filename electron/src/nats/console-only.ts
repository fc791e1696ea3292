import type { CollectorConfig } from '../config.js';
import { consoleToken, ensureDataDir } from '../data-dir.js';
import { acquireLock } from '../data-dir-lock.js';
import type { ConsoleFactory, RunningCollector } from '../serve.js';
import { startServer } from '../server/http-server.js';
import { StreamConsole } from './stream-console.js';

/**
 * `ic-audit serve --nats URL --console-only`: the console (UI, /console, /api, /healthz) over the NATS stream, on
 * the same port and with the same token rules as a collector, but no local ingest (bots are refused).
 */
export async function startConsoleOnly(
  config: CollectorConfig,
  makeConsole?: ConsoleFactory,
): Promise<RunningCollector> {
  if (config.nats === null) throw new Error('--console-only needs --nats');
  ensureDataDir(config.dataDir);
  const release = await acquireLock(config.dataDir);
  let source: StreamConsole | null = null;
  try {
    const token = consoleToken(config.dataDir);
    source = await StreamConsole.open(config, config.nats);
    const s = source;
    const handler = makeConsole?.(s, token) ?? null;
    const server = await startServer(config, s, token, handler);
    const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
    let stopped: Promise<void> | null = null;
    return {
      collector: s,
      port: server.port,
      token,
      ingestUrl: `(none: console-only, reading NATS stream ${config.nats.stream})`,
      consoleUrl: `${server.tls ? 'https' : 'http'}://${shownHost}:${server.port}/?token=${token}`,
      reloadTls: () => server.reloadTls(),
      stop: () =>
        (stopped ??= (async () => {
          await server.close();
          await s.close();
          release();
        })()),
    };
  } catch (err) {
    await source?.close();
    release();
    throw err;
  }
}

import type { CollectorConfig } from '../settings/config.js';
import { consoleToken, ensureDataDir } from '../settings/data-dir.js';
import { acquireLock } from '../settings/data-dir-lock.js';
import { CONSOLE_ONLY_REFUSAL, StreamConsole } from '../nats/stream-console.js';
import { serveSource, type ConsoleFactory, type RunningCollector } from './running.js';

/**
 * `ic-audit serve --nats URL --console-only`: the console (UI, /console, /api, /healthz) over the NATS stream, on
 * the same port and with the same token rules as a collector, but no ingest (bots are answered E_NO_INGEST).
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
    return await serveSource(config, {
      api: s,
      source: { health: () => s.health(), ingest: null, noIngestReason: CONSOLE_ONLY_REFUSAL },
      token,
      makeConsole,
      noIngestUrl: `(none: console-only, reading NATS stream ${config.nats.stream})`,
      first: () => Promise.resolve(),
      last: async () => {
        await s.close();
        release();
      },
    });
  } catch (err) {
    await source?.close();
    release();
    throw err;
  }
}

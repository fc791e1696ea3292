import type { CollectorConfig } from '../settings/config.js';
import { Collector } from '../collector/collector.js';
import type { KeyStore } from '../integrity/signing-key.js';
import type { StreamPublisher } from '../nats/stream-publisher.js';
import { consoleToken, ensureDataDir } from '../settings/data-dir.js';
import { acquireLock } from '../settings/data-dir-lock.js';
import { serveSource, type ConsoleFactory, type RunningCollector } from './running.js';

/** Starts a local collector (journal + ingest) on `config`. Throws DataDirError / ConfigError / a listen error. */
export async function startLocalCollector(
  config: CollectorConfig,
  makeConsole?: ConsoleFactory,
  keyStore: KeyStore | null = null,
): Promise<RunningCollector> {
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
        : await (await import('../nats/stream-publisher.js')).openStreamPublisher(config.nats, config.dataDir);
    collector = await Collector.open(config, undefined, replicator, keyStore);
    replicator?.watchSessions(collector);
    const c = collector;
    return await serveSource(config, {
      api: c,
      source: { health: () => c.health(), ingest: c },
      token,
      makeConsole,
      // Refuse new events and commit (and ack) what was received, then close the connections.
      first: () => c.close(),
      last: () => Promise.resolve(release()),
    });
  } catch (err) {
    if (collector !== null) await collector.close();
    else await replicator?.close();
    release();
    throw err;
  }
}

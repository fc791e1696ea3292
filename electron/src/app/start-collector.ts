import type { CollectorConfig } from '../settings/config.js';
import type { KeyStore } from '../integrity/signing-key.js';
import type { ConsoleFactory, RunningCollector } from './running.js';
import { startLocalCollector } from './serve.js';

/** Starts what `config` asks for: a local collector, or (`--console-only`) a console over the NATS stream. */
export async function startCollector(
  config: CollectorConfig,
  makeConsole?: ConsoleFactory,
  keyStore: KeyStore | null = null,
): Promise<RunningCollector> {
  // NATS mode (docs/scaling.md) loads the NATS client only when configured.
  if (config.consoleOnly) return (await import('./console-only.js')).startConsoleOnly(config, makeConsole);
  return startLocalCollector(config, makeConsole, keyStore);
}

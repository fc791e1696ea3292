import { createInterface } from 'node:readline';
import { ConfigError, plaintextWarning, type CollectorConfig } from '../settings/config.js';
import type { Collector } from '../collector/collector.js';
import { DataDirError } from '../settings/data-dir.js';
import { startCollector } from './start-collector.js';
import type { ConsoleFactory } from './running.js';
import { keepTlsFresh } from './tls-reload.js';

/**
 * `ic-audit serve`: starts the collector, prints where to connect, dumps on Enter (as the Python server did),
 * and on SIGINT/SIGTERM stops accepting, commits what was received and exits 0. Resolves with the exit code.
 */
export async function runServe(config: CollectorConfig, makeConsole?: ConsoleFactory): Promise<number> {
  // Said before binding too, so whoever starts it sees the warning even when the bind then fails.
  const warning = plaintextWarning(config);
  if (warning !== null) process.stderr.write(`ic-audit: WARNING ${warning}\n`);
  let running;
  try {
    running = await startCollector(config, makeConsole);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRNOTAVAIL') {
      process.stderr.write(`ic-audit: ${config.host} is not an address of this machine; pick another with --host\n`);
      return 2;
    }
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(
        `ic-audit: port ${config.port} on ${config.host} is already in use (another collector?); pick another with --port\n`,
      );
      return 2;
    }
    if (e instanceof DataDirError || e instanceof ConfigError) {
      process.stderr.write(`ic-audit: ${e.message}\n`);
      return 2;
    }
    throw err;
  }
  let rl: ReturnType<typeof createInterface> | null = null;
  // Signal handlers go in before anything is printed: a supervisor that stops us as soon as it reads the URL
  // must reach the handler that commits the journal, not the default action.
  const done = new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      process.stdout.write(`ic-audit: ${signal}: committing and stopping\n`);
      rl?.close();
      running.stop().then(
        () => resolve(0),
        (err: Error) => {
          process.stderr.write(`ic-audit: stop failed: ${err.message}\n`);
          resolve(2);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // A renewed certificate (SIGHUP, or its files changing) serves new connections; connected bots keep theirs.
  const stopTlsReload = keepTlsFresh(config, running, {
    info: (m) => process.stdout.write(`ic-audit: ${m}\n`),
    warn: (m) => process.stderr.write(`ic-audit: ${m}\n`),
  });
  void done.then(stopTlsReload);
  const health = running.collector.health();
  process.stdout.write(
    `ic-audit ${health.version} collecting into ${config.dataDir} (${health.events} events, ${health.integrity.message})\n`,
  );
  if (!health.integrity.ok) process.stdout.write(`  WARNING  ${health.integrity.message}\n`);
  for (const f of health.journal.torn_files) process.stdout.write(`  recovered a torn last line; bytes kept in ${f}\n`);
  const key = 'signingKeyInfo' in running.collector ? (running.collector as Collector).signingKeyInfo() : undefined;
  if (key !== undefined) {
    process.stdout.write(
      `  signing  ${key.fingerprint.slice(0, 16)}… (${key.where})${key.created ? ' created now: give its public key (ic-audit key) to your auditors' : ''}\n`,
    );
  }
  process.stdout.write(`  ingest   ${running.ingestUrl}\n  console  ${running.consoleUrl}\n`);
  if (warning !== null) process.stdout.write(`  WARNING  ${warning}\n`);
  // Every dump says where it went, whoever asked (a bot, a legacy client, the console, Enter here).
  running.collector.onDumped?.((r) => process.stdout.write(`ic-audit: dump written to ${r.path}\n`));

  if (process.stdin.isTTY) {
    process.stdout.write('  press Enter to dump the last 30 hours, Ctrl+C to stop\n');
    rl = createInterface({ input: process.stdin });
    rl.on('line', () => {
      running.collector.dump({}).then(
        (r) => {
          process.stdout.write(`dumped ${r.events} events of ${r.projects} projects\n`);
          if (r.warning !== undefined) process.stderr.write(`ic-audit: warning: ${r.warning}\n`);
        },
        (err: Error) => process.stderr.write(`dump failed: ${err.message}\n`),
      );
    });
  }
  return done;
}

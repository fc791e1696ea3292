import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CollectorConfig } from '../settings/config.js';
import type { RunningCollector } from './running.js';

/** Quiet time after the last change to a certificate file before it is read (a renewal writes key and cert apart). */
export const TLS_RELOAD_SETTLE_MS = 500;

/** Where reload outcomes are said. */
export interface ReloadLog {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * Keeps a TLS collector's certificate current without a restart: it is read again on SIGHUP and whenever the
 * certificate, key or client CA file changes (renewed in place or replaced by rename, as certificate managers do).
 * New connections get the new certificate; open ones keep theirs. A pair that does not load (say a key written
 * before its certificate) leaves the previous one in use until the next change. Returns a function that stops it.
 */
export function keepTlsFresh(
  config: Pick<CollectorConfig, 'tlsCert' | 'tlsKey' | 'tlsClientCa'>,
  running: Pick<RunningCollector, 'reloadTls'>,
  log: ReloadLog,
): () => void {
  if (config.tlsCert === null) return () => undefined;
  const reload = (why: string): void => {
    const error = running.reloadTls();
    if (error === null) log.info(`TLS certificate reloaded from ${config.tlsCert} (${why})`);
    else log.warn(`TLS certificate not reloaded (${why}), the previous one stays in use: ${error}`);
  };
  const onHup = (): void => reload('SIGHUP');
  process.on('SIGHUP', onHup);
  let timer: NodeJS.Timeout | null = null;
  const changed = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      reload('file changed');
    }, TLS_RELOAD_SETTLE_MS);
    timer.unref();
  };
  // Watch each file's folder, not the file: a renewal by rename replaces the inode a file watch would follow.
  const byDir = new Map<string, Set<string>>();
  for (const file of [config.tlsCert, config.tlsKey, config.tlsClientCa]) {
    if (file === null) continue;
    const names = byDir.get(dirname(file)) ?? new Set<string>();
    names.add(basename(file));
    byDir.set(dirname(file), names);
  }
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name === null || names.has(name.toString())) changed();
      });
      w.on('error', () => undefined);
      watchers.push(w);
    } catch (err) {
      log.warn(`not watching ${dir} for certificate renewals (SIGHUP still reloads): ${(err as Error).message}`);
    }
  }
  return () => {
    process.off('SIGHUP', onHup);
    if (timer !== null) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}

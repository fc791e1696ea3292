import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File in the data dir holding this collector's id. */
export const COLLECTOR_ID_FILE = 'collector.id';

const ID_RE = /^c-[0-9a-f]{16}$/;

/**
 * This data dir's collector id (`c-` + 16 hex), created at random on first use and kept in `collector.id`:
 * every message a collector publishes carries it, so each writer's hash chain can be checked on its own.
 */
export function collectorId(dataDir: string): string {
  const file = join(dataDir, COLLECTOR_ID_FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (ID_RE.test(id)) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = `c-${randomBytes(8).toString('hex')}`;
  writeFileSync(file, id + '\n', { mode: 0o600 });
  return id;
}

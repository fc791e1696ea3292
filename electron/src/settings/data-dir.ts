import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_DIR } from '../journal/segments.js';

/** Console token file inside the data dir (mode 0600). */
export const TOKEN_FILE = 'console.token';

/** Thrown when the data dir cannot be used; `code` is stable (E_DATA_DIR, E_LOCKED, E_NO_JOURNAL). */
export class DataDirError extends Error {
  constructor(
    readonly code: 'E_DATA_DIR' | 'E_LOCKED' | 'E_NO_JOURNAL',
    message: string,
  ) {
    super(message);
  }
}

/** True when the data dir holds a journal folder (a collector or an import has written there). */
export function hasJournal(dir: string): boolean {
  return statSync(join(dir, JOURNAL_DIR), { throwIfNoEntry: false })?.isDirectory() === true;
}

/**
 * Throws E_NO_JOURNAL when the data dir holds no journal: `verify` of a mistyped path must not answer "intact,
 * 0 records", and `dump` must not create the folder and write an empty dump.
 */
export function requireJournal(dir: string, defaultDir: string): void {
  if (!hasJournal(dir)) throw new DataDirError('E_NO_JOURNAL', `no journal in ${dir}; the default is ${defaultDir}`);
}

/** Creates the data dir (0700) if needed; throws DataDirError when it is unusable. */
export function ensureDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const probe = join(dir, `.probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new DataDirError('E_DATA_DIR', `data dir ${dir} is not writable: ${(err as Error).message}`);
  }
}

/** Reads the console token, creating a random one (file mode 0600) on first use. */
export function consoleToken(dir: string): string {
  const file = join(dir, TOKEN_FILE);
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{32,}$/.test(t)) {
      chmodSync(file, 0o600);
      return t;
    }
  } catch {
    // Missing: create below.
  }
  const token = randomBytes(24).toString('hex');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Console token file inside the data dir (mode 0600). */
export const TOKEN_FILE = 'console.token';
/** Lock file naming the pid of the collector that owns the data dir. */
export const LOCK_FILE = 'collector.lock';

/** Thrown when the data dir cannot be used; `code` is stable (E_DATA_DIR, E_LOCKED). */
export class DataDirError extends Error {
  constructor(
    readonly code: 'E_DATA_DIR' | 'E_LOCKED',
    message: string,
  ) {
    super(message);
  }
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

/** True when a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a live collector holding the data dir, or null. */
export function lockHolder(dir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dir, LOCK_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the data dir for this process (one writer per journal); returns a release function. */
export function acquireLock(dir: string): () => void {
  const holder = lockHolder(dir);
  if (holder !== null) {
    throw new DataDirError('E_LOCKED', `another collector (pid ${holder}) is using ${dir}`);
  }
  const file = join(dir, LOCK_FILE);
  rmSync(file, { force: true });
  const fd = openSync(file, 'wx', 0o600);
  writeSync(fd, String(process.pid));
  closeSync(fd);
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8')) === process.pid) rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
  };
}

import { createHash } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { DataDirError } from './data-dir.js';

/** Lock file naming the collector that owns the data dir: `<pid> <process start time>`. */
export const LOCK_FILE = 'collector.lock';

/** A process's start time as the kernel gives it (Linux `/proc/<pid>/stat`), and whether it is a zombie. */
export function processStart(pid: number): { start: string; zombie: boolean } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow its last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { start: rest[19] ?? '', zombie: rest[0] === 'Z' || rest[0] === 'X' };
  } catch {
    return null;
  }
}

/** What a lock file says: its owner's pid and start time ('' where /proc is missing). */
export function parseLockFile(text: string): { pid: number; start: string } | null {
  const [pidText, start = ''] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  return Number.isInteger(pid) && pid > 0 ? { pid, start } : null;
}

/**
 * True when the process a lock file names still runs: it exists, is not a zombie (a killed collector whose parent
 * has not reaped it yet), and, where the start time is known, is the same process (not a later one given its pid).
 */
export function ownerAlive(owner: { pid: number; start: string }): boolean {
  const proc = processStart(owner.pid);
  if (proc !== null) return !proc.zombie && (owner.start === '' || proc.start === owner.start);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a live collector holding the data dir (other than this process), or null. */
export function lockHolder(dir: string): number | null {
  try {
    const owner = parseLockFile(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    return owner !== null && owner.pid !== process.pid && ownerAlive(owner) ? owner.pid : null;
  } catch {
    return null;
  }
}

/** Name of the kernel-held lock of a data dir: a Linux abstract socket, released by the kernel when its owner dies. */
function kernelLockName(dir: string): string {
  return '\0ic-audit-lock-' + createHash('sha256').update(dir).digest('hex').slice(0, 32);
}

/** Binds the data dir's abstract socket: only one process can; a dead one's is released at once. */
function bindKernelLock(dir: string): Promise<Server | null> {
  if (process.platform !== 'linux') return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? reject(err) : resolve(null)));
    server.listen({ path: kernelLockName(dir), exclusive: true }, () => {
      // The lock must not keep the process alive on its own.
      server.unref();
      resolve(server);
    });
  });
}

/**
 * Takes the data dir for this process (one writer per journal); returns a release function. On Linux an abstract
 * socket bound per data dir is the lock itself (atomic, and freed by the kernel when its owner dies, zombie or not);
 * elsewhere the lock file is created atomically (link, never check-then-create) and a dead owner's is taken over.
 * The lock file names the owner either way, for messages and `lockHolder`.
 */
export async function acquireLock(dir: string): Promise<() => void> {
  let server: Server | null;
  try {
    server = await bindKernelLock(dir);
  } catch {
    const holder = lockHolder(dir);
    throw new DataDirError('E_LOCKED', `another collector${holder === null ? '' : ` (pid ${holder})`} is using ${dir}`);
  }
  const file = join(dir, LOCK_FILE);
  const me = `${process.pid} ${processStart(process.pid)?.start ?? ''}`;
  const tmp = `${file}.${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  writeSync(fd, me);
  closeSync(fd);
  try {
    if (server !== null)
      renameSync(tmp, file); // the socket already decided: the file only names us
    else takeFileLock(tmp, file, dir);
  } catch (err) {
    rmSync(tmp, { force: true });
    server?.close();
    throw err;
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8') === me) rmSync(file, { force: true });
    } catch {
      /* already gone */
    }
    server?.close();
  };
}

/** Without a kernel lock: link the prepared file into place, taking over a dead owner's lock file once. */
function takeFileLock(tmp: string, file: string, dir: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      linkSync(tmp, file);
      rmSync(tmp, { force: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(dir);
    if (holder !== null) throw new DataDirError('E_LOCKED', `another collector (pid ${holder}) is using ${dir}`);
    // A dead owner's file: move it aside under a unique name (only one contender's rename of it succeeds).
    try {
      renameSync(file, `${file}.stale-${process.pid}`);
      rmSync(`${file}.stale-${process.pid}`, { force: true });
    } catch {
      /* another contender moved it: try the link again */
    }
  }
  rmSync(tmp, { force: true });
  throw new DataDirError('E_LOCKED', `another collector is taking ${dir}`);
}

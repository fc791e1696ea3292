/**
 * Starts the real collector (`ic-audit serve`, built CLI) in a child process on port 0 with a temp data dir.
 * Used by every integration test; `restart()` brings it back on the same port and data dir (after a kill -9).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from 'vitest';

/** Absolute path of the built CLI. */
export const CLI = resolve(import.meta.dirname, '../../electron/dist/app/cli.js');

/** A running collector child process. */
export interface CollectorHandle {
  port: number;
  dataDir: string;
  /** http://127.0.0.1:PORT (https:// when the collector serves TLS) */
  httpUrl: string;
  /** ws://127.0.0.1:PORT/ingest (wss:// when the collector serves TLS) */
  ingestUrl: string;
  /** Console token read from the startup line. */
  consoleToken: string;
  child: ChildProcess;
  /** Pid of the collector's node process (the child itself, or the process a `wrap` command started). */
  pid(): number;
  /** Everything the child printed so far. */
  output(): string;
  /** Sends a signal and waits for exit; returns the exit code (null when killed by a signal). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts a new process on the same port and data dir (the old one must be gone). */
  restart(): Promise<CollectorHandle>;
  /** Stops the process (SIGTERM) and removes the data dir unless `keepDataDir`. */
  close(): Promise<void>;
}

/** Options for {@link startCollector}. */
export interface StartOptions {
  dataDir?: string;
  port?: number;
  args?: string[];
  env?: Record<string, string>;
  /** Keep the data dir on close (the caller owns it). */
  keepDataDir?: boolean;
  /**
   * A command the collector runs under, e.g. `['strace', '-f', '-o', file]`: it must exec `node cli.js serve ...`
   * as its only child. Signals from kill() and close() then go to that node process.
   */
  wrap?: string[];
}

/** The one child process of `pid` (a wrapper's collector), or 0 while it has none yet. */
function onlyChild(pid: number): number {
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (kids !== '') return Number(kids.split(' ')[0]);
    }
  } catch {
    /* the wrapper is gone */
  }
  return 0;
}

/** Makes a fresh temp dir for a collector's data. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'ic-audit-test-'));
}

/** Starts `ic-audit serve` and resolves once it prints its listening line. */
export async function startCollector(opts: StartOptions = {}): Promise<CollectorHandle> {
  const ownsDir = opts.dataDir === undefined && !opts.keepDataDir;
  const dataDir = opts.dataDir ?? tempDataDir();
  const port = opts.port ?? 0;
  const serveArgs = [
    CLI,
    'serve',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--host',
    '127.0.0.1',
    ...(opts.args ?? []),
  ];
  const [command, ...prefix] = opts.wrap ?? [process.execPath];
  const child = spawn(command!, opts.wrap === undefined ? serveArgs : [...prefix, process.execPath, ...serveArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const ready = new Promise<{ port: number; token: string; tls: boolean }>((res, rej) => {
    const onData = (chunk: string): void => {
      out += chunk;
      const m = /console\s+http(s?):\/\/[^:\s]+:(\d+)\/\?token=([0-9a-f]+)/.exec(out);
      if (m) res({ port: Number(m[2]), token: m[3]!, tls: m[1] === 's' });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: string) => (out += c));
    void exited.then((code) => rej(new Error(`collector exited (${code}) before listening:\n${out}`)));
  });
  const { port: actual, token, tls } = await ready;
  // The collector printed its URL, so a wrapper has started it by now.
  const pid = opts.wrap === undefined ? child.pid! : onlyChild(child.pid!);
  const handle: CollectorHandle = {
    port: actual,
    dataDir,
    httpUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${actual}`,
    ingestUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${actual}/ingest`,
    consoleToken: token,
    child,
    pid: () => pid,
    output: () => out,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) {
        if (pid === child.pid || pid === 0) child.kill(signal);
        else process.kill(pid, signal);
      }
      return exited;
    },
    restart: () => startCollector({ ...opts, dataDir, port: actual, keepDataDir: true }),
    close: async () => {
      await handle.kill('SIGTERM');
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

/**
 * For a test file: returns a starter whose collectors (and their restarts, via `track`) are all closed after each
 * test, newest first.
 */
export function collectorsPerTest(): {
  start(opts?: StartOptions): Promise<CollectorHandle>;
  track<T extends { close(): Promise<void> }>(c: T): T;
} {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const c of open.splice(0).reverse()) await c.close();
  });
  return {
    start: async (opts = {}) => {
      const c = await startCollector(opts);
      open.push(c);
      return c;
    },
    track: (c) => {
      open.push(c);
      return c;
    },
  };
}

/** Runs `ic-audit verify` on a data dir: its exit status and everything it printed. */
export function verifyDataDir(dataDir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

// Starts the REAL collector (`ic-audit serve` from electron/dist/app/cli.js) as a child process on 127.0.0.1, port 0.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLI = resolve(import.meta.dirname, '../../electron/dist/app/cli.js');
/** The node flags the product's launchers start the collector with (electron/src/app/node-flags.ts). */
const { COLLECTOR_NODE_FLAGS } = await import(resolve(import.meta.dirname, '../../electron/dist/app/node-flags.js'));

const temps = new Set();
const children = new Set();
// Whatever a benchmark left behind (an error, Ctrl+C) goes when the process exits.
process.once('exit', () => {
  children.forEach((c) => c.kill('SIGKILL'));
  temps.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

/** A fresh temp directory, removed by `removeDir` or at the latest when the process exits. */
export function tempDir(prefix = 'ic-audit-bench-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.add(dir);
  return dir;
}

/** Removes a directory made by `tempDir`. */
export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  temps.delete(dir);
}

let keysDir = null;
/** A signing key per data dir, in a temp folder (never the real ~/.config), the same across restarts of one dir. */
function benchKeyFile(dataDir) {
  keysDir ??= tempDir('ic-audit-bench-keys-');
  return join(keysDir, createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16) + '.pem');
}

/**
 * Spawns the collector and resolves once it prints its `console  http(s)://127.0.0.1:PORT/?token=...` line.
 * `startMs` is the wall time from spawn to that line. `close()` stops it (SIGTERM, then SIGKILL after 10 s) and
 * removes the data dir unless the caller passed its own `dataDir`. `launcherFlags` are the node flags the product's
 * launchers give the collector (electron/src/app/node-flags.ts, unless given: an older build had none); `nodeArgs` go
 * to node after them (e.g. --cpu-prof); `args` go to `ic-audit serve` after the defaults (e.g. ['--nats', urls,
 * '--nats-stream', 'S']);
 * `cli` another build's cli.js (A/B runs, bench/tools/ab-b2.mjs); `env` the child's environment.
 */
export async function startCollector({
  dataDir,
  launcherFlags = COLLECTOR_NODE_FLAGS,
  nodeArgs = [],
  args = [],
  timeoutMs = 600_000,
  cli = CLI,
  env = process.env,
} = {}) {
  const ownsDir = dataDir === undefined;
  const dir = dataDir ?? tempDir();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...launcherFlags,
      ...nodeArgs,
      cli,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--data-dir',
      dir,
      '--key-file',
      benchKeyFile(dir),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  children.add(child);
  let out = '';
  const exited = new Promise((res) =>
    child.once('exit', (code, signal) => (children.delete(child), res(code ?? signal))),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (ownsDir) removeDir(dir);
  };
  try {
    const { port, tls } = await new Promise((res, rej) => {
      const timer = setTimeout(
        () => rej(new Error(`collector not listening after ${timeoutMs} ms:\n${out}`)),
        timeoutMs,
      );
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const m = /console\s+http(s?):\/\/127\.0\.0\.1:(\d+)\/\?token=[0-9a-f]+/.exec(out);
        if (m) {
          clearTimeout(timer);
          res({ port: Number(m[2]), tls: m[1] === 's' });
        }
      });
      child.stderr.on('data', (chunk) => (out += chunk));
      exited.then((code) => rej(new Error(`collector exited (${code}) before listening:\n${out}`)));
    });
    const startMs = performance.now() - t0;
    return {
      port,
      pid: child.pid,
      dataDir: dir,
      startMs,
      ingestUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/ingest`,
      output: () => out,
      /** VmRSS / VmHWM of the collector process, in bytes (Linux /proc). */
      memory: () => procMemory(child.pid),
      close: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Resident set size now and its peak, in bytes, from /proc/PID/status. */
export function procMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

// A throwaway NATS JetStream cluster for the tests (test/nats) and the benchmarks (bench/b2-nats.mjs): `nats-server`
// processes on 127.0.0.1 with their own temp dirs and free ports; a node can be killed (SIGKILL) and restarted on
// the same ports and storage. Every node is killed and the storage removed by `close()`, and at the latest when the
// process exits. Plain JavaScript so the benchmarks run it without a build; types in nats-cluster.d.mts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const live = new Set();
const roots = new Set();
process.once('exit', () => {
  live.forEach((c) => c.kill('SIGKILL'));
  roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
});

/** Path of nats-server, or null when it is not installed. */
export function natsServerBinary() {
  for (const candidate of [process.env.NATS_SERVER, 'nats-server', '/usr/sbin/nats-server', '/usr/bin/nats-server']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status === 0) return candidate;
  }
  return null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Starts a `size`-node JetStream cluster and resolves once every node answers /healthz. Returns
 * `{ urls, url(i), names, monitor(i), kill(i), restart(i), close() }`; `urls` is `nats://127.0.0.1:P1,...` for --nats.
 */
export async function startNatsCluster(binary, size = 3) {
  // Ports are picked free, then bound by nats-server a moment later: another process's outgoing connection can take
  // one in between (both come from the ephemeral range). Such a start is retried on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, size);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
    }
  }
}

async function startOnce(binary, size) {
  const root = mkdtempSync(join(tmpdir(), 'ic-audit-nats-'));
  roots.add(root);
  const nodes = [];
  const stop = async (n, signal) => {
    const child = n.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await n.exited;
      clearTimeout(timer);
    }
    n.child = null;
  };
  const close = async () => {
    await Promise.all(nodes.map((n) => stop(n, 'SIGTERM')));
    rmSync(root, { recursive: true, force: true });
    roots.delete(root);
  };
  try {
    for (let i = 0; i < size; i++) {
      const dir = join(root, `n${i + 1}`);
      mkdirSync(dir);
      nodes.push({
        name: `s${i + 1}`,
        port: await freePort(),
        clusterPort: await freePort(),
        monitorPort: await freePort(),
        dir,
        child: null,
        exited: Promise.resolve(),
        log: '',
      });
    }
    const routes = nodes.map((n) => `nats://127.0.0.1:${n.clusterPort}`).join(',');
    const launch = (n) => {
      const child = spawn(
        binary,
        [
          '-js',
          '-sd',
          n.dir,
          '-a',
          '127.0.0.1',
          '-p',
          String(n.port),
          '-m',
          String(n.monitorPort),
          '-n',
          n.name,
          '--cluster_name',
          'icaudit',
          '--cluster',
          `nats://127.0.0.1:${n.clusterPort}`,
          '--routes',
          routes,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      live.add(child);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (c) => (n.log = (n.log + c).slice(-20_000)));
      n.child = child;
      n.exited = new Promise((res) => child.once('exit', () => (live.delete(child), res())));
    };
    const healthy = async (n) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (n.child === null || n.child.exitCode !== null || n.child.signalCode !== null)
          throw new Error(`nats ${n.name} exited:\n${n.log.slice(-2_000)}`);
        if (
          await fetch(`http://127.0.0.1:${n.monitorPort}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for nats ${n.name} healthy:\n${n.log.slice(-2_000)}`);
        await sleep(50);
      }
    };
    for (const n of nodes) launch(n);
    await Promise.all(nodes.map(healthy));
    return {
      urls: nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(','),
      url: (i) => `nats://127.0.0.1:${nodes[i].port}`,
      names: nodes.map((n) => n.name),
      monitor: (i) => `http://127.0.0.1:${nodes[i].monitorPort}`,
      kill: (i) => stop(nodes[i], 'SIGKILL'),
      restart: async (i) => {
        launch(nodes[i]);
        await healthy(nodes[i]);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

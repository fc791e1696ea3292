/**
 * A throwaway 3-node NATS JetStream cluster for tests: `nats-server` processes on 127.0.0.1 with their own temp
 * dirs and free ports; a node can be killed (SIGKILL) and restarted on the same ports and storage.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of nats-server, or null when it is not installed (tests then skip, saying so). */
export function natsServerBinary(): string | null {
  for (const candidate of [
    process.env['NATS_SERVER'],
    'nats-server',
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
  ]) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return candidate;
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Node {
  name: string;
  port: number;
  clusterPort: number;
  monitorPort: number;
  dir: string;
  child: ChildProcess | null;
  exited: Promise<void>;
  log: string;
}

/** A running cluster. */
export interface NatsCluster {
  /** `nats://127.0.0.1:P1,...` for --nats. */
  urls: string;
  /** Client URL of one node. */
  url(i: number): string;
  /** Server name of each node (s1, s2, s3). */
  names: string[];
  /** Monitoring base URL of a node. */
  monitor(i: number): string;
  /** SIGKILLs node i and waits for it to exit. */
  kill(i: number): Promise<void>;
  /** Starts node i again on the same ports and storage; resolves when it is healthy. */
  restart(i: number): Promise<void>;
  /** Stops every node and removes the storage. */
  close(): Promise<void>;
}

/** Starts a 3-node JetStream cluster and resolves once every node answers /healthz. */
export async function startNatsCluster(binary: string, size = 3): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), 'ic-audit-nats-'));
  const nodes: Node[] = [];
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
  const launch = (n: Node): void => {
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
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => (n.log = (n.log + c).slice(-20_000)));
    n.child = child;
    n.exited = new Promise((res) => child.once('exit', () => res()));
  };
  const healthy = (n: Node) =>
    until(`nats ${n.name} healthy`, async () => (await fetch(`http://127.0.0.1:${n.monitorPort}/healthz`)).ok, 20_000);
  for (const n of nodes) launch(n);
  await Promise.all(nodes.map(healthy));
  const stop = async (n: Node, signal: NodeJS.Signals): Promise<void> => {
    if (n.child !== null && n.child.exitCode === null && n.child.signalCode === null) n.child.kill(signal);
    await n.exited;
    n.child = null;
  };
  return {
    urls: nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(','),
    url: (i) => `nats://127.0.0.1:${nodes[i]!.port}`,
    names: nodes.map((n) => n.name),
    monitor: (i) => `http://127.0.0.1:${nodes[i]!.monitorPort}`,
    kill: (i) => stop(nodes[i]!, 'SIGKILL'),
    restart: async (i) => {
      launch(nodes[i]!);
      await healthy(nodes[i]!);
    },
    close: async () => {
      await Promise.all(nodes.map((n) => stop(n, 'SIGTERM')));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

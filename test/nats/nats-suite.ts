/**
 * What the NATS cluster tests share: one throwaway 3-node cluster per test file, a NATS connection to it, the
 * collector flags for a stream, cleanup of whatever a test opened, and the console API reads.
 */
import { connect, type MsgHdrs, type NatsConnection } from 'nats';
import { batchPayload } from '../../electron/src/nats/batch-encoding.js';
import { afterAll, beforeAll } from 'vitest';
import type { CollectorHandle } from '../helpers/collector.js';
import { startNatsCluster, type NatsCluster } from '../helpers/nats-cluster.mjs';

/** The cluster of a test file, valid inside its tests. */
export interface NatsSuite {
  cluster: NatsCluster;
  nc: NatsConnection;
  /** Closed (in reverse order) after the file's tests. */
  open: Array<{ close(): unknown }>;
  /** `ic-audit serve` flags for `stream` on this cluster with `replicas`, then `extra`. */
  args(stream: string, extra?: string[]): string[];
}

/** Starts a 3-node cluster before the file's tests (`binary`: nats-server) and stops it, and what they opened, after. */
export function natsSuite(binary: string | null, replicas: number): NatsSuite {
  const suite: NatsSuite = {
    cluster: null as unknown as NatsCluster,
    nc: null as unknown as NatsConnection,
    open: [],
    args: (stream, extra = []) => [
      '--nats',
      suite.cluster.urls,
      '--nats-stream',
      stream,
      '--nats-replicas',
      String(replicas),
      ...extra,
    ],
  };
  beforeAll(async () => {
    if (binary === null) return;
    suite.cluster = await startNatsCluster(binary);
    suite.nc = await connect({
      servers: suite.cluster.urls.split(','),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    });
  });
  afterAll(async () => {
    for (const o of suite.open.reverse()) await Promise.resolve(o.close()).catch(() => undefined);
    await suite.nc?.close();
    await suite.cluster?.close();
  });
  return suite;
}

/** The journal lines a stream message carries (decompressed when it says so); throws when it cannot be read. */
export function messageLines(data: Uint8Array, hdrs: MsgHdrs | undefined): string[] {
  const payload = batchPayload(data, hdrs);
  if (typeof payload === 'string') throw new Error(`unreadable stream message: ${payload}`);
  return payload.toString('utf8').split('\n');
}

/** GET (or POST `body` to) a console API path with the console token; the JSON answer. */
export async function api(c: CollectorHandle, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${c.httpUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${c.consoleToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/** A record as the console API shows it. */
export interface ShownRecord {
  id: number;
  session: string;
  seq: number;
  source: string;
  event_type: string;
  fields: Record<string, unknown>;
}

/** Every record a console shows, newest first, paging /api/records back to the start. */
export async function consoleRecords(c: CollectorHandle): Promise<ShownRecord[]> {
  const out: ShownRecord[] = [];
  let before: number | null = null;
  for (let page = 0; page < 1000; page++) {
    const q: { records: ShownRecord[]; more: boolean } = await api(
      c,
      `/api/records?limit=5000${before === null ? '' : `&before=${before}`}`,
    );
    out.push(...q.records);
    if (!q.more || q.records.length === 0) break;
    before = q.records[q.records.length - 1]!.id;
  }
  return out;
}

/** Bot events by `<session>:<seq>` (collector records left out): how often each appears. */
export function countBySessionSeq(
  records: Array<{ session: string; seq: number; source: string }>,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.seq <= 0 || r.source === 'collector') continue;
    const key = `${r.session}:${r.seq}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

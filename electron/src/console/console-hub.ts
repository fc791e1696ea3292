import type http from 'node:http';
import type stream from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CONSOLE_BATCH_MS,
  CONSOLE_PROTOCOL_VERSION,
  MAX_FRAME_BYTES,
  parseConsoleClientFrame,
  SILENT_AFTER_SECONDS,
  SNAPSHOT_RECORDS,
  toWireRow,
  type ConsoleClientFrame,
  type ConsoleServerFrame,
  type JournalRecord,
  type SessionInfo,
} from '@ic-audit/shared';
import type { CollectorApi } from '../collector/api.js';
import type { ConsoleRequests } from './console-requests.js';

/** Limits of the live push path; exported so tests can reason about them. */
export const HUB_LIMITS = {
  /** A console whose socket holds more than this many unsent bytes stops receiving pushes. */
  highWaterBytes: 4 * 1024 * 1024,
  /** It gets `resync` + a fresh snapshot once its socket drained below this. */
  lowWaterBytes: 256 * 1024,
  /** A console stalled this long is disconnected (it reconnects and gets a snapshot). */
  stalledMs: 60_000,
  /** Records waiting for the next batch; beyond this every console resyncs instead of the hub growing. */
  maxPending: 200_000,
  /** Largest rows per records frame (a huge burst goes out as several frames in the same tick). */
  rowsPerFrame: 5_000,
  /** Health (and collector clock) push interval. */
  healthMs: 2_000,
};

interface Client {
  ws: WebSocket;
  /** Since when pushes are withheld (0: live). */
  stalledAt: number;
}

/** Live state pushed to every console: snapshot on connect, batched records and sessions, periodic health. */
export class ConsoleHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  private readonly clients = new Set<Client>();
  private pending: JournalRecord[] = [];
  private overflowed = false;
  private readonly changedSessions = new Map<string, SessionInfo>();
  private timer: NodeJS.Timeout | null = null;
  private readonly healthTimer: NodeJS.Timeout;
  private readonly unsubscribe: Array<() => void>;
  /** Records are taken from the collector only while a console is connected (they are built on demand). */
  private recordsOff: (() => void) | null = null;

  constructor(
    private readonly api: CollectorApi,
    private readonly requests: ConsoleRequests,
  ) {
    this.unsubscribe = [
      api.onSession((s) => {
        if (this.clients.size === 0) return;
        this.changedSessions.set(s.session, s);
        this.schedule();
      }),
      api.onDumped?.((result) => {
        for (const client of this.clients) this.send(client, { type: 'dump_written', result });
      }) ?? (() => undefined),
    ];
    this.healthTimer = setInterval(() => this.pushHealth(), HUB_LIMITS.healthMs);
    this.healthTimer.unref();
  }

  /** Number of connected consoles. */
  get size(): number {
    return this.clients.size;
  }

  /** Completes a WebSocket upgrade for /console (auth already checked by the HTTP server). */
  upgrade(req: http.IncomingMessage, socket: stream.Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  private attach(ws: WebSocket): void {
    const client: Client = { ws, stalledAt: 0 };
    this.clients.add(client);
    this.recordsOff ??= this.api.onRecords((records) => this.onRecords(records));
    ws.on('close', () => {
      this.clients.delete(client);
      if (this.clients.size > 0 || this.recordsOff === null) return;
      this.recordsOff();
      this.recordsOff = null;
      this.pending = [];
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.send(client, { type: 'error', id: null, code: 'E_BAD_FRAME', message: 'console frames are JSON text' });
        return;
      }
      const parsed = parseConsoleClientFrame(data.toString());
      if (!parsed.ok) {
        this.send(client, { type: 'error', id: null, code: parsed.code, message: parsed.message });
        return;
      }
      void this.handle(client, parsed.value);
    });
    this.sendSnapshot(client);
  }

  private sendSnapshot(client: Client): void {
    this.send(client, {
      type: 'snapshot',
      v: CONSOLE_PROTOCOL_VERSION,
      now: Date.now() / 1000,
      sessions: this.api.sessions(),
      rows: this.api.recent(SNAPSHOT_RECORDS).map(toWireRow),
      health: this.api.health(),
      silent_after: SILENT_AFTER_SECONDS,
      version: this.api.version,
    });
  }

  private async handle(client: Client, frame: ConsoleClientFrame): Promise<void> {
    try {
      switch (frame.type) {
        case 'snapshot':
          this.sendSnapshot(client);
          return;
        case 'query': {
          const { rows, more } = await this.requests.queryRows(frame.filter, frame.before, frame.limit);
          this.send(client, { type: 'result', id: frame.id, rows, more });
          return;
        }
        case 'get':
          this.send(client, { type: 'record', id: frame.id, record: await this.requests.record(frame.record) });
          return;
        case 'dump': {
          const dump = await this.requests.dump(frame.scope, frame.format, frame.filter);
          this.send(client, { type: 'dumped', id: frame.id, ...dump });
          return;
        }
        case 'verify':
          this.send(client, { type: 'verified', id: frame.id, integrity: await this.requests.verify() });
          this.pushHealth();
          return;
        default: {
          const never: never = frame;
          void never;
        }
      }
    } catch (err) {
      const code = frame.type === 'dump' ? 'E_DUMP_FAILED' : 'E_STORAGE';
      const id = 'id' in frame ? frame.id : null;
      this.send(client, { type: 'error', id, code, message: err instanceof Error ? err.message : String(err) });
    }
  }

  private onRecords(records: readonly JournalRecord[]): void {
    if (this.clients.size === 0) return;
    if (this.pending.length + records.length > HUB_LIMITS.maxPending) {
      // The hub never grows past its bound: drop the batch and let every console start over from a snapshot.
      this.pending = [];
      this.overflowed = true;
    } else {
      for (const r of records) this.pending.push(r);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, CONSOLE_BATCH_MS);
  }

  /** Sends the coalesced batch: serialized once, written to every console that keeps up. */
  private flush(): void {
    const records = this.pending;
    this.pending = [];
    const overflowed = this.overflowed;
    this.overflowed = false;
    const frames: string[] = [];
    if (this.changedSessions.size > 0) {
      frames.push(JSON.stringify({ type: 'sessions', sessions: [...this.changedSessions.values()] }));
      this.changedSessions.clear();
    }
    for (let i = 0; i < records.length; i += HUB_LIMITS.rowsPerFrame) {
      const rows = records.slice(i, i + HUB_LIMITS.rowsPerFrame).map(toWireRow);
      frames.push(JSON.stringify({ type: 'records', rows }));
    }
    const now = Date.now();
    for (const client of this.clients) {
      if (overflowed) client.stalledAt ||= now;
      if (this.withheld(client, now)) continue;
      for (const text of frames) client.ws.send(text);
    }
    if (this.clients.size > 0 && [...this.clients].some((c) => c.stalledAt !== 0)) this.schedule();
  }

  /** True when pushes to this console are withheld; recovers it with resync + snapshot once it drained. */
  private withheld(client: Client, now: number): boolean {
    const buffered = client.ws.bufferedAmount;
    if (client.stalledAt === 0) {
      if (buffered <= HUB_LIMITS.highWaterBytes) return false;
      client.stalledAt = now;
      return true;
    }
    if (buffered > HUB_LIMITS.lowWaterBytes) {
      if (now - client.stalledAt > HUB_LIMITS.stalledMs) client.ws.terminate();
      return true;
    }
    client.stalledAt = 0;
    this.send(client, { type: 'resync', reason: 'the console fell behind the live stream' });
    this.sendSnapshot(client);
    // The snapshot already holds everything up to now; this tick's batch would only repeat it.
    return true;
  }

  private pushHealth(): void {
    if (this.clients.size === 0) return;
    const health = JSON.stringify({ type: 'health', now: Date.now() / 1000, health: this.api.health() });
    // Session counters (events, errors, last_seen, gaps, clock offset) move without a session event, so the
    // bounded session list rides along with every health tick.
    const sessions = JSON.stringify({ type: 'sessions', sessions: this.api.sessions() });
    for (const client of this.clients) {
      if (client.stalledAt !== 0) continue;
      client.ws.send(health);
      client.ws.send(sessions);
    }
  }

  private send(client: Client, frame: ConsoleServerFrame): void {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(frame));
  }

  /** Disconnects every console and stops listening to the collector. */
  async close(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.recordsOff?.();
    this.recordsOff = null;
    clearInterval(this.healthTimer);
    if (this.timer !== null) clearTimeout(this.timer);
    for (const client of this.clients) client.ws.close(1001, 'collector shutting down');
    await new Promise<void>((res) => this.wss.close(() => res()));
    for (const client of this.clients) client.ws.terminate();
    this.clients.clear();
  }
}

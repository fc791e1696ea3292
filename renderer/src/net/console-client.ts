import {
  EMPTY_FILTER,
  MAX_QUERY_LIMIT,
  parseConsoleServerFrame,
  type ConsoleDumpedFrame,
  type ConsoleServerFrame,
  type DumpFormat,
  type DumpScope,
  type IntegrityInfo,
  type JournalRecord,
  type QueryFilter,
  type WireRow,
} from '@ic-audit/shared';
import { FrameBatcher, type Scheduler } from '../lib/frame-batcher.js';
import { fromWire, type Row } from '../lib/row.js';
import type { AppStore } from '../store/store.js';

type Pending = { resolve: (frame: ConsoleServerFrame) => void; reject: (err: Error) => void };

/** Flushes on the next animation frame while visible; hidden tabs get no frames, so fall back to a timer. */
export const frameScheduler: Scheduler = (run) => {
  if (typeof document !== 'undefined' && document.visibilityState === 'visible') requestAnimationFrame(run);
  else setTimeout(run, 250);
};

/**
 * The console channel: keeps one WebSocket to `/console` (reconnecting with backoff), feeds the store in batches
 * (one update per animation frame however fast records arrive) and turns requests into promises. After a
 * reconnect it back-fills the records journaled while it was away (see {@link loadSnapshot}).
 */
export class ConsoleClient {
  private ws: WebSocket | null = null;
  private readonly batcher: FrameBatcher<WireRow>;
  private readonly waiting = new Map<string, Pending>();
  private nextId = 1;
  private retryMs = 500;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** While a back-fill runs, live rows wait here (they must land after the older rows it fetches). */
  private holding: WireRow[] | null = null;
  /** Bumped by every snapshot: a back-fill overtaken by a newer snapshot drops its result. */
  private generation = 0;
  /** Called with the new rows of each flush (notifications). */
  onRows: ((rows: readonly Row[]) => void) | null = null;

  constructor(
    private readonly store: AppStore,
    private readonly url: string,
    schedule: Scheduler = frameScheduler,
  ) {
    this.batcher = new FrameBatcher((wire) => this.flush(wire), schedule);
  }

  /** Opens the channel (and keeps it open until {@link close}). */
  connect(): void {
    this.closed = false;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.store.getState().setRetryAt(null);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.receive(ev.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const p of this.waiting.values()) p.reject(new Error('console connection lost'));
      this.waiting.clear();
      if (this.closed) return;
      const s = this.store.getState();
      s.setLink('reconnecting');
      s.connectionLost(Date.now());
      s.setRetryAt(Date.now() + this.retryMs);
      this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(10_000, this.retryMs * 2);
    };
  }

  /** Tries to reconnect now instead of waiting for the backoff (the banner's "retry now"). */
  retryNow(): void {
    if (this.closed || this.ws !== null) return;
    this.connect();
  }

  /** Closes for good. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.ws?.close();
  }

  private receive(text: string): void {
    const parsed = parseConsoleServerFrame(text);
    if (!parsed.ok) return;
    const frame = parsed.value;
    const s = this.store.getState();
    switch (frame.type) {
      case 'snapshot':
        this.batcher.clear();
        s.setServerInfo(frame.silent_after, frame.version);
        s.setHealth(frame.health, frame.now);
        s.rebaseCounts(frame.sessions, frame.health.events);
        s.setSessions(frame.sessions);
        this.loadSnapshot(frame.rows);
        s.setLink('live');
        s.connectionRestored();
        return;
      case 'records':
        this.batcher.push(frame.rows);
        return;
      case 'sessions':
        s.updateSessions(frame.sessions);
        return;
      case 'health':
        s.setHealth(frame.health, frame.now);
        return;
      case 'dump_written':
        // Dumps asked for elsewhere (a bot, a Python client) say where they went; the console's own dump reports
        // through its request.
        if (s.dump.state !== 'running') {
          s.setDump({
            state: 'done',
            message: `Dump written (${frame.result.events} events):`,
            path: frame.result.path,
            ...(frame.result.warning === undefined ? {} : { warning: frame.result.warning }),
          });
        }
        return;
      case 'resync':
        // A snapshot follows; drop what is queued so nothing stale lands after it.
        this.batcher.clear();
        return;
      case 'result':
      case 'record':
      case 'dumped':
      case 'verified':
        this.settle(frame.id, frame);
        return;
      case 'error':
        if (frame.id !== null) this.settle(frame.id, frame);
        return;
      default: {
        const never: never = frame;
        void never;
      }
    }
  }

  /**
   * Keeps rows already held when the snapshot overlaps them (a reconnect). When it does not (more was journaled
   * while the console was away than a snapshot carries), the missing range is fetched page by page, newest first,
   * down to the last id held, so nothing is skipped and nothing repeats. A fresh console just takes the snapshot.
   */
  private loadSnapshot(wire: readonly WireRow[]): void {
    const s = this.store.getState();
    const generation = ++this.generation;
    this.holding = null;
    const first = wire[0];
    if (first !== undefined && s.ring.size > 0 && first[0] <= s.ring.maxId + 1) {
      this.flush(wire.filter((w) => w[0] > s.ring.maxId));
      return;
    }
    if (first === undefined || s.ring.size === 0) {
      s.resetRows(wire.map(fromWire));
      return;
    }
    this.holding = [];
    void this.backfill(s.ring.maxId, first[0], s.ring.capacity).then((missing) => {
      if (generation !== this.generation) return;
      const held = this.holding ?? [];
      this.holding = null;
      if (missing === null) {
        // Too much or the channel dropped again: start over from the snapshot rather than leave a silent hole.
        this.store.getState().resetRows(wire.map(fromWire));
        this.flush(held);
        return;
      }
      this.flush([...missing, ...wire, ...held]);
    });
  }

  /** Records with ids in (`after`, `before`), oldest first; null when more than `max` or the query failed. */
  private async backfill(after: number, before: number, max: number): Promise<WireRow[] | null> {
    const newestFirst: WireRow[] = [];
    let cursor = before;
    try {
      for (;;) {
        const f = await this.request({ type: 'query', filter: EMPTY_FILTER, before: cursor, limit: MAX_QUERY_LIMIT });
        if (f.type !== 'result') return null;
        for (const w of f.rows) {
          if (w[0] <= after) return newestFirst.reverse();
          newestFirst.push(w);
        }
        const last = f.rows[f.rows.length - 1];
        if (!f.more || last === undefined) return newestFirst.reverse();
        if (newestFirst.length > max) return null;
        cursor = last[0];
      }
    } catch {
      return null;
    }
  }

  private flush(wire: readonly WireRow[]): void {
    if (this.holding !== null) {
      for (const w of wire) this.holding.push(w);
      return;
    }
    if (wire.length === 0) return;
    const rows = wire.map(fromWire);
    this.store.getState().appendRows(rows);
    this.onRows?.(rows);
  }

  private settle(id: string, frame: ConsoleServerFrame): void {
    const p = this.waiting.get(id);
    if (p === undefined) return;
    this.waiting.delete(id);
    if (frame.type === 'error') p.reject(new Error(`${frame.code}: ${frame.message}`));
    else p.resolve(frame);
  }

  private request(frame: Record<string, unknown>): Promise<ConsoleServerFrame> {
    const ws = this.ws;
    if (ws === null || ws.readyState !== WebSocket.OPEN)
      return Promise.reject(new Error('not connected to the collector'));
    const id = `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** Records matching a filter older than `before`, newest first. */
  async query(filter: QueryFilter, before: number | null, limit: number): Promise<{ rows: Row[]; more: boolean }> {
    const f = await this.request({ type: 'query', filter, before, limit });
    return f.type === 'result' ? { rows: f.rows.map(fromWire), more: f.more } : { rows: [], more: false };
  }

  /** One full record with its hashes. */
  async record(id: number): Promise<JournalRecord | null> {
    const f = await this.request({ type: 'get', record: id });
    return f.type === 'record' ? f.record : null;
  }

  /** Writes a dump on the collector. */
  async dump(scope: DumpScope, format: DumpFormat, filter: QueryFilter | null): Promise<ConsoleDumpedFrame> {
    const f = await this.request({ type: 'dump', scope, format, filter });
    if (f.type !== 'dumped') throw new Error('unexpected answer to dump');
    return f;
  }

  /** Walks the chain on the collector. */
  async verify(): Promise<IntegrityInfo> {
    const f = await this.request({ type: 'verify' });
    if (f.type !== 'verified') throw new Error('unexpected answer to verify');
    return f.integrity;
  }
}

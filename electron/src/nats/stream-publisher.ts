import { join } from 'node:path';
import type { JournalRecord } from '@ic-audit/shared';
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from 'nats';
import type { CollectorApi } from '../collector/api.js';
import type { CommittedLines, Replicator } from '../collector/api.js';
import { JOURNAL_DIR } from '../journal/segments.js';
import { collectorId } from './collector-id.js';
import { connectNatsPublisher } from './nats-connection.js';
import { ENCODING_HEADER } from './batch-encoding.js';
import { announcePresence } from './presence.js';
import { loadCursor, readBacklog, saveCursor, type PublishCursor } from './publish-cursor.js';
import { loadPlannedRanges, PublishLog, type IdRange } from './publish-log.js';
import { SessionRegistry } from './session-registry.js';
import {
  batchByteLimit,
  batchMessageId,
  chunkCommit,
  chunkRecords,
  COLLECTOR_HEADER,
  encodedChunk,
  encodeBatch,
  IDS_HEADER,
  MAX_BATCH_RECORDS,
  recordLine,
  type Chunk,
  type ChunkLimits,
} from './stream-message.js';
import { ensureStream, NATS_DEFAULTS, subjectFor, type NatsConfig } from './stream-settings.js';

/**
 * How long an acknowledged position may wait before the cursor file is rewritten: after a crash at most this much
 * more is republished (same ids: JetStream drops it), and the file is not rewritten on every ack.
 */
const CURSOR_SAVE_MS = 250;

/** One batch message on its way to JetStream. */
interface Item {
  subject: string;
  msgId: string;
  /** The lines, or their compressed form (batch-encoding.ts). */
  payload: Uint8Array;
  /** `Ic-Audit-Encoding` of the payload; null for plain lines. */
  encoding: string | null;
  first: number;
  last: number;
  /** Records it carries (fewer than last - first + 1 only when a republished range lost unreadable lines). */
  count: number;
  lastReceivedAt: number;
  sending: boolean;
  done: boolean;
  sentAt: number;
}

/** Tunables of {@link StreamPublisher}; defaults from {@link NATS_DEFAULTS}. */
export interface PublisherOptions {
  /** Messages (batches) published and not acknowledged yet. */
  maxInFlight: number;
  /** Records in those messages (at least one message is always in flight). */
  maxInFlightRecords: number;
  publishTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Most records per message (at most {@link MAX_BATCH_RECORDS}). */
  maxBatchRecords: number;
  /** Most payload bytes per message, before compression; default from the server's max_payload ({@link batchByteLimit}). */
  maxBatchBytes: number;
  /** Compress each batch's payload (Brotli, batch-encoding.ts) before publishing. */
  compress: boolean;
}

/**
 * Copies committed journal records into the JetStream stream as batch messages (consecutive records of one
 * project, see {@link chunkRecords}; message id `<collector>:<first id>-<last id>`), in id order, and reports a batch
 * replicated only once JetStream acknowledged its messages and all earlier ones. Publishes are pipelined (up to
 * `maxInFlight` messages; JetStream's acks come back on one inbox subscription, correlated by the reply subject's
 * last token); a failed or timed-out publish pauses the pipeline, then every unacknowledged message is sent again
 * with the same boundaries and id, so JetStream stores each once. Every message's range is logged before it is
 * first sent (publish-log.ts), and the last acknowledged journal id is kept in `nats.cursor.json`; on start the
 * journal past the cursor is published first, in the logged ranges, then in new ones.
 */
export class StreamPublisher implements Replicator {
  private readonly opts: PublisherOptions;
  private readonly limits: ChunkLimits;
  private readonly inbox = createInbox();
  private readonly replies: Subscription;
  private readonly sweep: NodeJS.Timeout;
  private readonly log: PublishLog;
  private queue: Item[] = [];
  /** Absolute index of queue[0]; items below `confirmed` are acknowledged (with all before them). */
  private base = 0;
  private confirmed = 0;
  private nextSend = 0;
  private inFlight = 0;
  private inFlightRecords = 0;
  /** Records handed over, and records acknowledged (with all before them). */
  private appendedRecords = 0;
  private confirmedRecords = 0;
  private paused = false;
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private waiters: Array<{ target: number; resolve: () => void }> = [];
  private cursor: PublishCursor;
  private cursorDirty = false;
  private cursorTimer: NodeJS.Timeout | null = null;
  private stopPresence: (() => void) | null = null;
  private readonly sessions: SessionRegistry;
  /** Why publishing is stalled, or null. */
  fault: string | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly cfg: NatsConfig,
    private readonly dataDir: string,
    /** This collector's id, carried in every message. */
    readonly collector: string,
    opts: Partial<PublisherOptions> = {},
  ) {
    this.opts = {
      maxInFlight: NATS_DEFAULTS.maxInFlight,
      maxInFlightRecords: NATS_DEFAULTS.maxInFlightRecords,
      publishTimeoutMs: NATS_DEFAULTS.publishTimeoutMs,
      retryBaseMs: 100,
      retryMaxMs: 2_000,
      maxBatchRecords: MAX_BATCH_RECORDS,
      maxBatchBytes: batchByteLimit(nc.info?.max_payload),
      compress: cfg.compress === 'on',
      ...opts,
    };
    this.opts.maxBatchRecords = Math.min(this.opts.maxBatchRecords, MAX_BATCH_RECORDS);
    this.limits = { maxRecords: this.opts.maxBatchRecords, maxBytes: this.opts.maxBatchBytes };
    this.cursor = loadCursor(dataDir, cfg.stream);
    this.log = new PublishLog(dataDir);
    this.sessions = new SessionRegistry(nc, cfg);
    this.replies = nc.subscribe(`${this.inbox}.*`, { callback: (_err, m) => this.onReply(m) });
    this.sweep = setInterval(() => this.expire(), Math.min(250, this.opts.publishTimeoutMs));
    this.sweep.unref();
  }

  /** Records handed over and not acknowledged yet. */
  get pendingCount(): number {
    return this.appendedRecords - this.confirmedRecords;
  }

  /** Records not sent yet: beyond the in-flight window, or waiting for a resend (the collector's ingest pause). */
  get waitingCount(): number {
    return this.appendedRecords - this.confirmedRecords - this.inFlightRecords;
  }

  /** Highest journal id acknowledged by JetStream (with every lower one). */
  get cursorId(): number {
    return this.cursor.id;
  }

  replicate(records: readonly JournalRecord[]): Promise<void> {
    this.enqueue(chunkRecords(records, this.limits, this.opts.compress));
    this.sessions.note(records);
    return this.drain();
  }

  /** The fast path: a group commit's exact bytes, cut into messages without making record objects. */
  replicateLines(batch: CommittedLines): Promise<void> {
    this.enqueue(chunkCommit(batch, this.limits, this.opts.compress));
    this.sessions.noteLines(batch);
    return this.drain();
  }

  drain(): Promise<void> {
    const target = this.appendedRecords;
    if (this.confirmedRecords >= target || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /**
   * Publishes the journal records JetStream has not acknowledged yet (after a crash or on first use): first in the
   * ranges logged before the crash (same message ids: what JetStream already holds is dropped as a duplicate),
   * then in new batches.
   */
  async publishBacklog(): Promise<number> {
    const planned = loadPlannedRanges(this.dataDir, this.cursor.id);
    let carry: JournalRecord[] = [];
    let p = 0;
    const feed = (final: boolean): void => {
      let at = 0;
      while (at < carry.length) {
        const range = planned[p];
        if (range === undefined) {
          this.enqueue(chunkRecords(at === 0 ? carry : carry.slice(at), this.limits, this.opts.compress));
          at = carry.length;
          break;
        }
        let end = at;
        while (end < carry.length && carry[end]!.id <= range.last) end++;
        if (end === carry.length && !final && carry[end - 1]!.id < range.last) break; // the range goes on
        if (end > at) this.enqueue([plannedChunk(carry.slice(at, end), range, this.opts.compress)]);
        at = end;
        p++;
      }
      carry = at === 0 ? carry : carry.slice(at);
    };
    const total = await readBacklog(join(this.dataDir, JOURNAL_DIR), this.cursor, async (records) => {
      carry = carry.length === 0 ? records : carry.concat(records);
      feed(false);
      this.sessions.note(records);
      await this.drain();
    });
    feed(true);
    await this.drain();
    return total;
  }

  /** Announces the collector's connected sessions to consoles (see presence.ts) until {@link close}. */
  watchSessions(api: CollectorApi): void {
    this.stopPresence ??= announcePresence(this.nc, this.collector, api, () => ({
      stream: this.cfg.stream,
      stored: this.cursor.id,
    }));
  }

  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.stopPresence?.();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.drain().then(() => this.sessions.flush()),
      new Promise((res) => (timer = setTimeout(res, timeoutMs))),
    ]);
    clearTimeout(timer);
    this.closed = true;
    this.sessions.stop();
    clearInterval(this.sweep);
    this.replies.unsubscribe();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.cursorTimer !== null) clearTimeout(this.cursorTimer);
    this.flushCursor();
    this.log.close();
    for (const w of this.waiters.splice(0)) w.resolve();
    await this.nc.drain().catch(() => this.nc.close());
  }

  /** Queues batch messages (logging their ranges first) and starts sending. */
  private enqueue(chunks: readonly Chunk[]): void {
    if (chunks.length === 0) return;
    this.log.note(chunks);
    for (const c of chunks) {
      this.queue.push({
        subject: subjectFor(c.project, this.cfg.stream),
        msgId: batchMessageId(this.collector, c.first, c.last),
        payload: c.payload,
        encoding: c.encoding,
        first: c.first,
        last: c.last,
        count: c.count,
        lastReceivedAt: c.lastReceivedAt,
        sending: false,
        done: false,
        sentAt: 0,
      });
      this.appendedRecords += c.count;
    }
    this.pump();
  }

  private pump(): void {
    while (
      !this.paused &&
      !this.closed &&
      this.inFlight < this.opts.maxInFlight &&
      (this.inFlight === 0 || this.inFlightRecords < this.opts.maxInFlightRecords) &&
      this.nextSend < this.base + this.queue.length
    ) {
      const index = this.nextSend++;
      const item = this.queue[index - this.base]!;
      if (item.done || item.sending) continue;
      this.send(item, index);
    }
  }

  private send(item: Item, index: number): void {
    item.sending = true;
    item.sentAt = Date.now();
    this.inFlight++;
    this.inFlightRecords += item.count;
    const h = headers();
    h.set('Nats-Msg-Id', item.msgId);
    h.set(COLLECTOR_HEADER, this.collector);
    h.set(IDS_HEADER, `${item.first}-${item.last}`);
    if (item.encoding !== null) h.set(ENCODING_HEADER, item.encoding);
    try {
      this.nc.publish(item.subject, item.payload, { reply: `${this.inbox}.${index}`, headers: h });
    } catch (err) {
      this.onFail(item, err as Error);
    }
  }

  /** JetStream's answer to one publish: a PubAck, an error, or a 503 status when no stream took it. */
  private onReply(m: Msg): void {
    const index = Number(m.subject.slice(this.inbox.length + 1));
    const item = this.queue[index - this.base];
    if (item === undefined || !item.sending) return;
    if (m.headers?.hasError || m.data.length === 0) {
      return this.onFail(
        item,
        new Error(`no stream answered (${m.headers?.code ?? 'empty reply'} ${m.headers?.description ?? ''})`),
      );
    }
    let ack: { seq?: number; error?: { description?: string } };
    try {
      ack = JSON.parse(Buffer.from(m.data).toString('utf8')) as typeof ack;
    } catch {
      return this.onFail(item, new Error('unreadable JetStream ack'));
    }
    if (ack.error !== undefined || typeof ack.seq !== 'number')
      return this.onFail(item, new Error(ack.error?.description ?? 'bad JetStream ack'));
    this.onAck(item);
  }

  /** Fails publishes that waited longer than `publishTimeoutMs` for their ack. */
  private expire(): void {
    if (this.inFlight === 0) return;
    const old = Date.now() - this.opts.publishTimeoutMs;
    const end = Math.min(this.nextSend, this.base + this.queue.length);
    for (let i = this.confirmed; i < end; i++) {
      const item = this.queue[i - this.base]!;
      if (item.sending && item.sentAt < old)
        this.onFail(item, new Error(`no JetStream ack within ${this.opts.publishTimeoutMs} ms`));
    }
  }

  private onAck(item: Item): void {
    this.inFlight--;
    this.inFlightRecords -= item.count;
    item.sending = false;
    if (!item.done) {
      item.done = true;
      this.advance();
    }
    if (this.fault !== null && !this.paused) this.fault = null;
    this.retryMs = 0;
    this.pump();
  }

  private onFail(item: Item, err: Error): void {
    this.inFlight--;
    this.inFlightRecords -= item.count;
    item.sending = false;
    if (this.closed || item.done) return;
    this.fault = `NATS publish failed: ${err.message}`;
    if (this.paused) return;
    // Stop the pipeline, wait, then resend everything not acknowledged (same ids: JetStream keeps one copy).
    this.paused = true;
    this.retryMs = Math.min(this.opts.retryMaxMs, Math.max(this.opts.retryBaseMs, this.retryMs * 2));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.paused = false;
      this.nextSend = this.confirmed;
      this.pump();
    }, this.retryMs);
  }

  /** Moves the confirmed prefix forward, resolves waiters and schedules a cursor write. */
  private advance(): void {
    let last: Item | null = null;
    while (this.confirmed < this.base + this.queue.length && this.queue[this.confirmed - this.base]!.done) {
      last = this.queue[this.confirmed - this.base]!;
      this.confirmedRecords += last.count;
      this.confirmed++;
    }
    if (last === null) return;
    const drop = this.confirmed - this.base;
    if (drop >= 1024 || drop === this.queue.length) {
      this.queue = this.queue.slice(drop);
      this.base = this.confirmed;
    }
    this.cursor = { stream: this.cfg.stream, id: last.last, received_at: last.lastReceivedAt };
    this.cursorDirty = true;
    this.cursorTimer ??= setTimeout(() => {
      this.cursorTimer = null;
      this.flushCursor();
    }, CURSOR_SAVE_MS);
    if (this.waiters.length > 0) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) {
        if (this.confirmedRecords >= w.target) w.resolve();
        else still.push(w);
      }
      this.waiters = still;
    }
    this.sessions.flushSoon(last.last);
  }

  private flushCursor(): void {
    if (!this.cursorDirty) return;
    this.cursorDirty = false;
    try {
      saveCursor(this.dataDir, this.cursor);
    } catch (err) {
      process.stderr.write(`ic-audit: cannot write NATS cursor: ${(err as Error).message}\n`);
    }
    this.log.compact(this.queue.slice(this.confirmed - this.base));
  }
}

/** A logged range republished after a crash: its records as one message with the range's id, whatever it holds. */
function plannedChunk(records: readonly JournalRecord[], range: IdRange, compress: boolean): Chunk {
  const lines = encodeBatch(records.map((r) => recordLine(r)));
  return {
    first: range.first,
    last: range.last,
    project: records[0]!.project_name,
    count: records.length,
    ...encodedChunk(lines, compress),
    lastReceivedAt: records[records.length - 1]!.received_at,
  };
}

/**
 * Connects to NATS, makes sure the stream exists, and publishes the journal backlog (records never acknowledged
 * by JetStream) before resolving, so the collector's `welcome.acked` (rebuilt from its journal) only ever claims
 * events that are in the stream.
 */
export async function openStreamPublisher(cfg: NatsConfig, dataDir: string): Promise<StreamPublisher> {
  const id = collectorId(dataDir);
  const nc = await connectNatsPublisher(cfg, `ic-audit collector ${id}`, cfg.stream, async (first) =>
    ensureStream(await first.jetstreamManager(), cfg),
  );
  try {
    const publisher = new StreamPublisher(nc, cfg, dataDir, id);
    await publisher.publishBacklog();
    return publisher;
  } catch (err) {
    await nc.close();
    throw err;
  }
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  BOOT_DESCRIPTION,
  MAX_HELLO_STRING_LENGTH,
  ProjectEvents,
  parseServerFrame,
  type ProjectEvent,
  type ProjectInfo,
} from '@ic-audit/shared';
import { AckWaiters } from './ack-waiters.js';
import { backoffDelay } from './backoff.js';
import { createDebugLog, type DebugLog } from './debug-log.js';
import { eventJson, toEpochSeconds } from './event-json.js';
import { allocBytes, EventRing } from './event-ring.js';
import { registerExitFlush, unregisterExitFlush, type ExitFlusher } from './exit-hook.js';
import { resolveOptions, type AuditNotifierOptions, type ResolvedOptions } from './options.js';
import { projectInfo } from './project-info.js';
import { truncateString } from './text.js';
import { openConnection, type Connection } from './transport.js';
import { SDK_NAME, SDK_VERSION } from './version.js';

/** Counters of one notifier; `queued + acked + dropped` = events accepted by `send()` (boot included). */
export interface NotifierStats {
  /** Events buffered, not yet acked. */
  queued: number;
  /** Events written to a socket (a resend after a reconnect counts again). */
  sent: number;
  /** Events the collector confirmed durable. */
  acked: number;
  /** Events evicted from the full buffer before their ack (the collector records them as a gap). */
  dropped: number;
  /** Connections established after the first one. */
  reconnects: number;
  /** Connection attempts that failed before the collector's welcome (refused, timed out, TLS certificate errors). */
  connectFailures: number;
  /** Why the last failed attempt failed (`ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`, `E_CERT_PIN`, ...), or null. */
  lastError: string | null;
  /** True while a connection is open and welcomed. */
  connected: boolean;
}

const FRAME_HEAD = new TextEncoder().encode('{"type":"events","events":[');
const FRAME_TAIL = new TextEncoder().encode(']}');
/** Above this many bytes queued in the socket, batches wait for acks instead of piling up in memory. */
const MAX_SOCKET_BUFFER = 8 * 1024 * 1024;
const now = (): number => performance.now();

function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

function safeHostname(): string {
  try {
    return truncateString(hostname(), MAX_HELLO_STRING_LENGTH);
  } catch {
    return '';
  }
}

/**
 * Reports a bot's events to the ic-audit collector. `send()` only appends to an in-memory ring; a timer batches,
 * serializes and sends; events stay buffered until the collector acks them and are resent after a reconnect.
 * Never throws, never blocks, never keeps a finished process alive (beyond a bounded exit flush).
 */
export class AuditNotifier implements ExitFlusher {
  /** Random session id of this notifier (hello `session`); seq numbers are per session. */
  readonly session: string;
  /** Collector URL in use. */
  readonly url: string;
  /** Project metadata as sent in the hello (sanitized). */
  readonly project: ProjectInfo;

  private readonly o: ResolvedOptions;
  private readonly ring: EventRing;
  private readonly log: DebugLog;
  private readonly helloHead: string;
  private readonly helloTail: string;
  private conn: Connection | null = null;
  private ready = false;
  private closed = false;
  private closing: Promise<boolean> | null = null;
  private attempt = 0;
  private everConnected = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private drainTimer: ReturnType<typeof setTimeout> | null = null;
  private drainArmed = false;
  private serializeArmed = false;
  private inDrain = false;
  private anchorMs = Date.now() - now();
  private ackedSeq = 0;
  private sentUpTo = 0;
  private lastDroppedSeq = 0;
  private exitFlushedFor = 0;
  private readonly waiters = new AckWaiters();
  private readonly counts = { sent: 0, acked: 0, dropped: 0, reconnects: 0, connectFailures: 0 };
  private lastError: string | null = null;

  constructor(options: AuditNotifierOptions) {
    const raw = (typeof options === 'object' && options !== null ? options : {}) as Partial<AuditNotifierOptions>;
    this.o = resolveOptions(raw);
    this.url = this.o.url;
    this.log = createDebugLog(this.o.debug);
    this.session = randomUUID();
    this.project = projectInfo(raw.projectName, raw.projectMarket, raw.projectDescription, raw.projectPrivileges);
    this.ring = new EventRing(this.o.bufferMaxEvents);
    const pid = typeof process === 'object' && Number.isSafeInteger(process.pid) ? process.pid : 0;
    // Everything in the hello but `dropped` is constant: encode it once.
    this.helloHead =
      '{"type":"hello","v":1,"session":' +
      JSON.stringify(this.session) +
      ',"project":' +
      JSON.stringify(this.project) +
      ',"sdk":' +
      JSON.stringify(`${SDK_NAME}@${SDK_VERSION}`) +
      ',"host":' +
      JSON.stringify(safeHostname()) +
      ',"pid":' +
      pid +
      ',"dropped":';
    this.helloTail = (this.o.token === undefined ? '' : ',"token":' + JSON.stringify(this.o.token)) + '}';
    this.ring.push(ProjectEvents.BOOT, BOOT_DESCRIPTION, now(), {
      project_market: this.project.project_market,
      project_description: this.project.project_description,
      project_privileges: this.project.project_privileges,
    });
    registerExitFlush(this);
    this.armDrain();
    this.connect();
  }

  /**
   * Queues one event and returns at once: no I/O, no serialization. Never throws, whatever it is given; the
   * top level of a plain `fields` object is copied now, nested values are read at the batch step (within
   * `flushIntervalMs`, once the bot yields to the event loop).
   */
  send(eventType: ProjectEvent, description: string, fields?: object): void {
    if (this.closed) return;
    try {
      let f: unknown = fields;
      if (typeof fields === 'object' && fields !== null) {
        try {
          const proto: unknown = Object.getPrototypeOf(fields);
          if (proto === Object.prototype || proto === null) f = { ...fields };
        } catch {
          // A hostile proxy: keep the reference, the batch step reads it defensively.
        }
      }
      if (this.ring.push(eventType, description, now(), f) !== 0) this.noteDropped(1);
      if (!this.drainArmed) this.armDrain();
      if (!this.serializeArmed) {
        this.serializeArmed = true;
        setImmediate(this.serializeSoon);
      }
    } catch (err) {
      this.log('E_INTERNAL', `send: ${String(err)}`);
    }
  }

  /** Resolves true once every event sent so far is durable at the collector; false on timeout or if any was dropped. */
  flush(timeoutMs: number = this.o.flushTimeoutMs): Promise<boolean> {
    return this.waitAcked(timeoutMs, false);
  }

  /** Flushes (bounded by `timeoutMs`), then closes the connection and stops; later `send()` calls are ignored. */
  close(timeoutMs: number = this.o.flushTimeoutMs): Promise<boolean> {
    if (this.closing !== null) return this.closing;
    const flushed = this.waitAcked(timeoutMs, false);
    this.closed = true;
    this.closing = flushed.then((ok) => {
      this.shutdown();
      return ok;
    });
    return this.closing;
  }

  /** Counters, see {@link NotifierStats}. */
  stats(): NotifierStats {
    return {
      queued: this.ring.count,
      sent: this.counts.sent,
      acked: this.counts.acked,
      dropped: this.counts.dropped,
      reconnects: this.counts.reconnects,
      connectFailures: this.counts.connectFailures,
      lastError: this.lastError,
      connected: this.ready,
    };
  }

  /** Best-effort flush on `beforeExit`: once per new batch of events, bounded, giving up on a failed connect. */
  exitFlush(): void {
    try {
      if (this.closed) return;
      const target = this.ring.nextSeq - 1;
      if (this.ackedSeq >= target || this.exitFlushedFor >= target) return;
      this.exitFlushedFor = target;
      void this.waitAcked(this.o.exitFlushTimeoutMs, true);
    } catch (err) {
      this.log('E_INTERNAL', `exit flush: ${String(err)}`);
    }
  }

  // ---- buffer -------------------------------------------------------------------------------------------------

  private noteDropped(n: number): void {
    this.counts.dropped += n;
    this.lastDroppedSeq = this.ring.headSeq - 1;
    this.log('E_DROPPED', `buffer full: oldest unacked events dropped (see stats().dropped)`);
  }

  private armDrain(): void {
    this.drainArmed = true;
    // Nothing in flight on a live link: send on the next turn of the event loop instead of waiting out the batch
    // interval (Nagle-style). While a frame is in flight, events gather until its ack or the interval.
    if (this.ready && this.sentUpTo === this.ackedSeq && !this.inDrain) {
      setImmediate(this.drain);
      return;
    }
    const t = this.drainTimer as { refresh?: () => void } | null;
    // refresh() re-arms the same timer without allocating; inside its own callback it would be ignored.
    if (t !== null && typeof t.refresh === 'function' && !this.inDrain) t.refresh();
    else this.drainTimer = unref(setTimeout(this.drain, this.o.flushIntervalMs));
  }

  private readonly serializeOne = (seq: number, type: unknown, desc: unknown, time: number, fields: unknown): string =>
    eventJson(seq, type, desc, toEpochSeconds(time, this.anchorMs), fields, this.onSerializeError);

  private readonly onSerializeError = (rule: string): void => this.log('E_SERIALIZE', rule);

  /** Serializes raw events into the ring's byte store and enforces the byte bound. */
  private serializeAll(): void {
    this.anchorMs = Date.now() - now();
    this.ring.serializePending(this.serializeOne);
    let over = 0;
    while (this.ring.bytes > this.o.bufferMaxBytes && this.ring.count > 1) over += this.ring.dropOldest();
    if (over > 0) this.noteDropped(over);
  }

  /**
   * Serializes what `send()` queued on the next turn of the event loop, whenever the batch step itself waits (a
   * frame in flight, or no connection): the bot's objects then die young and the buffered events live as bytes,
   * so a long wait costs the bot's garbage collector nothing.
   */
  private readonly serializeSoon = (): void => {
    this.serializeArmed = false;
    if (this.inDrain) return;
    try {
      this.serializeAll();
    } catch (err) {
      this.log('E_INTERNAL', `serialize: ${String(err)}`);
    }
  };

  /** The batch step: serialize raw events, enforce the byte bound, send what the window allows. */
  private readonly drain = (): void => {
    this.drainArmed = false;
    this.inDrain = true;
    try {
      this.serializeAll();
      this.pump();
    } catch (err) {
      this.log('E_INTERNAL', `batch: ${String(err)}`);
    } finally {
      this.inDrain = false;
    }
    // A getter or toJSON in some fields may have called send() during the batch step.
    if (!this.drainArmed && this.ring.readyUpTo < this.ring.nextSeq - 1) this.armDrain();
  };

  // ---- connection ---------------------------------------------------------------------------------------------

  private connect(): void {
    // After close() only a pending flush may still (re)connect.
    if (this.conn !== null || (this.closed && this.waiters.size === 0)) return;
    this.clearTimer('reconnectTimer');
    let conn: Connection | null = null;
    try {
      conn = openConnection(
        this.url,
        {
          onOpen: () => {
            if (this.conn === conn) conn!.send(this.helloHead + this.counts.dropped + this.helloTail);
          },
          onMessage: (text) => {
            if (this.conn === conn) this.onFrame(text);
          },
          onClose: (reason) => {
            if (this.conn === conn) this.onClosed(reason);
          },
        },
        { connectTimeoutMs: this.o.connectTimeoutMs, webSocket: this.o.webSocket, tls: this.o },
      );
    } catch (err) {
      // A bad URL or an unreadable CA file: a failed attempt like any other, retried with backoff.
      this.counts.connectFailures++;
      this.lastError = String((err as { code?: unknown }).code ?? err);
      this.log('E_CONFIG', `cannot open ${this.url}: ${String(err)}`);
      this.waiters.fail(true);
      this.scheduleReconnect();
      return;
    }
    this.conn = conn;
    const c = conn;
    this.connectTimer = unref(setTimeout(() => c.destroy(), this.o.connectTimeoutMs));
  }

  private onFrame(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) return;
    const f = parsed.value;
    switch (f.type) {
      case 'welcome':
        if (this.ready) return;
        this.clearTimer('connectTimer');
        this.ready = true;
        if (this.everConnected) this.counts.reconnects++;
        this.everConnected = true;
        this.attempt = 0;
        this.applyAck(f.acked);
        // Everything after what the collector holds is resent; older events it never got are a recorded gap.
        this.sentUpTo = Math.max(this.ackedSeq, f.acked);
        this.pump();
        return;
      case 'ack':
        this.applyAck(f.seq);
        // The link just went idle with events waiting for the batch timer: send them now.
        if (this.drainArmed && this.sentUpTo === this.ackedSeq && !this.inDrain) this.drain();
        else this.pump();
        return;
      case 'error':
        // Refused hello or frame (storage full, shutting down, unauthorized...): start over with backoff;
        // welcome.acked then says exactly what to resend.
        this.log('E_REFUSED', `${f.code}: ${f.message}`);
        this.conn?.destroy();
        return;
      default:
        return;
    }
  }

  private applyAck(seq: number): void {
    const acked = Math.min(seq, this.ring.nextSeq - 1);
    if (acked <= this.ackedSeq) return;
    this.ackedSeq = acked;
    this.counts.acked += this.ring.releaseThrough(acked);
    if (this.sentUpTo < acked) this.sentUpTo = acked;
    if (this.waiters.size > 0) this.waiters.settle(acked, this.lastDroppedSeq === 0);
  }

  private onClosed(reason: string): void {
    const wasReady = this.ready;
    this.conn = null;
    this.ready = false;
    this.clearTimer('connectTimer');
    this.sentUpTo = this.ackedSeq;
    if (!wasReady) {
      this.counts.connectFailures++;
      this.lastError = reason;
      this.log('E_CONNECT', `${this.url}: ${reason}`);
    }
    this.waiters.fail(true);
    if (!this.closed || this.waiters.size > 0) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== null || (this.closed && this.waiters.size === 0)) return;
    const delay = backoffDelay(this.attempt++, this.o.backoffBaseMs, this.o.backoffCapMs);
    this.reconnectTimer = unref(
      setTimeout(() => {
        this.reconnectTimer = null;
        this.connect();
      }, delay),
    );
  }

  /** Sends serialized events after `sentUpTo` in frames within the batch limits and the in-flight window. */
  private pump(): void {
    const conn = this.conn;
    if (conn === null || !this.ready) return;
    const ring = this.ring;
    const { batchMaxEvents, batchMaxBytes, maxInflightEvents } = this.o;
    let from = Math.max(this.sentUpTo + 1, ring.headSeq);
    const last = ring.readyUpTo;
    while (from <= last && conn.bufferedAmount < MAX_SOCKET_BUFFER) {
      const limit = Math.min(last, from + batchMaxEvents - 1, this.ackedSeq + maxInflightEvents);
      if (limit < from) return;
      let bytes = FRAME_HEAD.length + FRAME_TAIL.length;
      let seq = from;
      for (; seq <= limit; seq++) {
        const size = ring.sizeAt(seq) + 1;
        if (seq > from && bytes + size > batchMaxBytes) break;
        bytes += size;
      }
      // The events sit back to back (comma-separated) in the ring's store: the frame is one copy of that slice.
      const body = ring.jsonBytes(from, seq - 1);
      const frame = allocBytes(FRAME_HEAD.length + body.length + FRAME_TAIL.length);
      frame.set(FRAME_HEAD, 0);
      frame.set(body, FRAME_HEAD.length);
      frame.set(FRAME_TAIL, FRAME_HEAD.length + body.length);
      conn.send(frame);
      if (this.conn !== conn) return;
      this.counts.sent += seq - from;
      this.sentUpTo = seq - 1;
      from = seq;
    }
  }

  // ---- flush / close ------------------------------------------------------------------------------------------

  private waitAcked(timeoutMs: number, failFast: boolean): Promise<boolean> {
    try {
      const target = this.ring.nextSeq - 1;
      // Once closed, the answer is what it is now: a flush must not bring the connection back.
      if (this.ackedSeq >= target || this.closed)
        return Promise.resolve(this.ackedSeq >= target && this.lastDroppedSeq === 0);
      const ms =
        typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs)
          ? timeoutMs
          : this.o.flushTimeoutMs;
      const done = this.waiters.add(target, ms, failFast);
      this.drain();
      if (this.conn === null) this.connect();
      return done;
    } catch (err) {
      this.log('E_INTERNAL', `flush: ${String(err)}`);
      return Promise.resolve(false);
    }
  }

  private shutdown(): void {
    this.closed = true;
    unregisterExitFlush(this);
    this.waiters.fail(false);
    this.clearTimer('reconnectTimer');
    this.clearTimer('connectTimer');
    this.clearTimer('drainTimer');
    const conn = this.conn;
    this.conn = null;
    this.ready = false;
    conn?.destroy();
  }

  private clearTimer(name: 'reconnectTimer' | 'connectTimer' | 'drainTimer'): void {
    const t = this[name];
    if (t !== null) clearTimeout(t);
    this[name] = null;
  }
}

import { CollectorEvents, parseRecordLine, splitRecordLine, type JournalRecord } from '@ic-audit/shared';
import type { KV, NatsConnection } from 'nats';
import type { CommittedLines } from '../collector/api.js';
import { sha256 } from '../journal/hash.js';
import { recordLine } from './stream-message.js';
import type { NatsConfig } from './stream-settings.js';

/**
 * The JetStream key-value bucket beside a stream (`<stream>_SESSIONS`) that keeps each session's latest
 * `ic-audit.session` record (the exact journal line, hash included), so a console whose replay window starts after
 * a session's hello still shows its market, description and privileges. Written by collectors, read by consoles.
 */
export function sessionBucket(stream: string): string {
  return `${stream}_SESSIONS`;
}

/** A session id as a KV key: kept when it is only `A-Z a-z 0-9 _ -`, else `x` + its UTF-8 bytes in hex. */
export function sessionKey(session: string): string {
  return /^[A-Za-z0-9_-]{1,200}$/.test(session) ? session : 'x' + Buffer.from(session, 'utf8').toString('hex');
}

/** A session record read back from the bucket; null when it is missing, unreadable or its hash does not match. */
export function decodeSessionEntry(value: Uint8Array): JournalRecord | null {
  const line = Buffer.from(value).toString('utf8');
  const parts = splitRecordLine(line);
  if (parts === null || sha256(parts.body) !== parts.hash) return null;
  const r = parseRecordLine(line);
  return r !== null && r.event_type === CollectorEvents.SESSION && r.source === 'collector' ? r : null;
}

/**
 * A collector's side: puts every session record it replicates into the bucket (created on first use with the
 * stream's replicas, one value per key), after the stream acknowledged it. Best effort: a failed put is retried
 * with the next batch, or within 5 s; nothing waits for it (acks never depend on the bucket).
 */
export class SessionRegistry {
  private kv: Promise<KV> | null = null;
  private readonly pending = new Map<string, { id: number; line: string }>();
  private ready = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly cfg: NatsConfig,
  ) {}

  /** Takes the session records of a batch handed to the stream (put once the stream acknowledged them). */
  note(records: readonly JournalRecord[]): void {
    for (const r of records) {
      if (r.event_type === CollectorEvents.SESSION && r.source === 'collector')
        this.pending.set(sessionKey(r.session), { id: r.id, line: recordLine(r) });
    }
  }

  /** The same for a group commit's lines (the collector's fast path). */
  noteLines(batch: CommittedLines): void {
    const { entries, ends, bytes, firstId } = batch;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.eventType !== CollectorEvents.SESSION || e.source !== 'collector') continue;
      const line = bytes.toString('utf8', i === 0 ? 0 : ends[i - 1]! + 1, ends[i]);
      this.pending.set(sessionKey(e.session), { id: firstId + i, line });
    }
  }

  /** The stream acknowledged every journal id up to `confirmedId`: put those session records soon. */
  flushSoon(confirmedId: number): void {
    if (this.pending.size === 0 || this.stopped) return;
    for (const [k, v] of this.pending) {
      if (v.id > confirmedId) continue;
      this.ready.set(k, v.line);
      this.pending.delete(k);
    }
    if (this.ready.size === 0) return;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, 100);
  }

  /** Puts what is ready; resolves when done (failures stay ready for the next try). */
  flush(): Promise<void> {
    if (this.flushing !== null) return this.flushing;
    if (this.ready.size === 0 || this.stopped) return Promise.resolve();
    const batch = this.ready;
    this.ready = new Map();
    const run = (async () => {
      try {
        this.kv ??= this.nc.jetstream().views.kv(sessionBucket(this.cfg.stream), {
          replicas: this.cfg.replicas,
          history: 1,
        });
        const kv = await this.kv;
        await Promise.all([...batch].map(([k, v]) => kv.put(k, v)));
      } catch (err) {
        this.kv = null;
        for (const [k, v] of batch) if (!this.ready.has(k)) this.ready.set(k, v);
        if (!this.stopped) {
          process.stderr.write(`ic-audit: session registry (NATS KV) not written yet: ${(err as Error).message}\n`);
          this.timer ??= setTimeout(() => {
            this.timer = null;
            void this.flush();
          }, 5_000);
          this.timer.unref();
        }
      } finally {
        this.flushing = null;
      }
    })();
    this.flushing = run;
    return run;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** A console's side: looks sessions up in the bucket (which may not exist yet). */
export class SessionLookup {
  private kv: Promise<KV> | null = null;

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
  ) {}

  /** The session's latest session record, or null. */
  async get(session: string): Promise<JournalRecord | null> {
    try {
      this.kv ??= this.nc.jetstream().views.kv(sessionBucket(this.stream), { bindOnly: true });
      const entry = await (await this.kv).get(sessionKey(session));
      return entry === null || entry.operation !== 'PUT' ? null : decodeSessionEntry(entry.value);
    } catch {
      this.kv = null;
      return null;
    }
  }
}

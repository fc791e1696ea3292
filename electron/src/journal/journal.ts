import { closeSync, mkdirSync, openSync, fstatSync } from 'node:fs';
import { close, fdatasync, ftruncate, write } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  GENESIS_HASH,
  recordBody,
  sealRecord,
  type EventFields,
  type JournalRecord,
  type RecordSource,
} from '@ic-audit/shared';
import { sha256 } from './hash.js';
import { segmentName } from './segments.js';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const ftruncateAsync = promisify(ftruncate);
const closeAsync = promisify(close);

/** An event accepted for writing; becomes a {@link JournalRecord} once durable. */
export interface JournalEntry {
  receivedAt: number;
  session: string;
  /** JSON-encoded session id, built once per session. */
  sessionJson: string;
  seq: number;
  source: RecordSource;
  projectName: string;
  /** JSON-encoded project name, built once per session. */
  projectJson: string;
  eventType: string;
  description: string;
  timestamp: number;
  fields: EventFields;
}

/** Why the journal is not writing, or null when healthy. */
export interface JournalFault {
  code: string;
  message: string;
  since: number;
}

/** Journal options; defaults in {@link JOURNAL_DEFAULTS}. */
export interface JournalOptions {
  /** Wait before retrying a failed write, growing x2 up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Most bytes written in one group commit (keeps one batch from holding the whole backlog). */
  maxBatchBytes: number;
  /** Clock, injectable for tests. */
  now: () => number;
}

/** Defaults for {@link JournalOptions}. */
export const JOURNAL_DEFAULTS: Readonly<JournalOptions> = Object.freeze({
  retryBaseMs: 200,
  retryMaxMs: 5_000,
  maxBatchBytes: 8 << 20,
  now: Date.now,
});

/**
 * Append-only, hash-chained JSON-lines journal with group commit: entries queue in memory, one writer turns the
 * whole queue into lines, writes them with one write() and one fdatasync(), and only then reports them committed.
 * A failed write is cut back off the file and retried; nothing is reported committed that is not on disk.
 */
export class Journal {
  private readonly opts: JournalOptions;
  private pending: JournalEntry[] = [];
  private writing = false;
  private fd = -1;
  private segment = '';
  private size = 0;
  private lastId: number;
  private lastHash: string;
  private retryMs = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Entries ever appended / ever committed: a barrier waits for committed to reach appended-at-call-time. */
  private appended = 0;
  private committedCount = 0;
  private barriers: Array<{ target: number; resolve: () => void }> = [];
  /** Current write failure, or null. */
  fault: JournalFault | null = null;

  constructor(
    private readonly dir: string,
    start: { lastId: number; lastHash: string; segment?: string; offset?: number },
    private readonly onCommit: (records: JournalRecord[], lines: string[]) => void,
    opts: Partial<JournalOptions> = {},
  ) {
    this.opts = { ...JOURNAL_DEFAULTS, ...opts };
    this.lastId = start.lastId;
    this.lastHash = start.lastHash || GENESIS_HASH;
    // Where the replayed journal ends, so a checkpoint can be taken before the first new write.
    this.segment = start.segment ?? '';
    this.size = start.offset ?? 0;
    mkdirSync(dir, { recursive: true });
  }

  /** Entries accepted but not yet durable. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Where the journal ends: current segment file name and its size (valid after a commit). */
  position(): { segment: string; offset: number } {
    return { segment: this.segment, offset: this.size };
  }

  /** Highest hash on disk. */
  get lastRecordHash(): string {
    return this.lastHash;
  }

  /** True while nothing accepted is waiting for the disk. */
  get idle(): boolean {
    return this.pending.length === 0 && this.committedCount === this.appended;
  }

  /** Highest id on disk. */
  get lastRecordId(): number {
    return this.lastId;
  }

  /** Queues an entry; it is committed (and reported) with the next group commit. */
  append(entry: JournalEntry): void {
    this.pending.push(entry);
    this.appended++;
    if (!this.writing && this.retryTimer === null) {
      this.writing = true;
      setImmediate(() => void this.writeLoop());
    }
  }

  /**
   * Resolves once everything appended before this call is durable (or the journal is closed). Later appends do not
   * delay it, so a POST waiting for its own events is never starved by other clients' traffic.
   */
  drain(): Promise<void> {
    const target = this.appended;
    if (this.committedCount >= target || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.barriers.push({ target, resolve }));
  }

  /** Commits what is queued (retrying while the disk allows, up to `timeoutMs`) and closes the file. */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.pending.length > 0 || this.writing) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.drain(), new Promise((res) => (timer = setTimeout(res, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.fd >= 0) await closeAsync(this.fd).catch(() => undefined);
    this.fd = -1;
    for (const b of this.barriers.splice(0)) b.resolve();
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      const { batch, records, lines, bytes } = this.build();
      try {
        this.ensureSegment();
        let off = 0;
        while (off < bytes.length) {
          off += (await writeAsync(this.fd, bytes, off, bytes.length - off, null)).bytesWritten;
        }
        await fdatasyncAsync(this.fd);
      } catch (err) {
        await this.fail(err as NodeJS.ErrnoException);
        this.pending = batch.concat(this.pending);
        this.writing = false;
        this.scheduleRetry();
        return;
      }
      this.size += bytes.length;
      this.lastId += records.length;
      this.lastHash = records[records.length - 1]!.hash;
      this.fault = null;
      this.retryMs = 0;
      this.committedCount += records.length;
      this.onCommit(records, lines);
      this.releaseBarriers();
    }
    this.writing = false;
  }

  private releaseBarriers(): void {
    if (this.barriers.length === 0) return;
    const still: typeof this.barriers = [];
    for (const b of this.barriers) {
      if (this.committedCount >= b.target) b.resolve();
      else still.push(b);
    }
    this.barriers = still;
  }

  /** Turns the head of the queue into sealed lines, chained from the last durable record. */
  private build(): { batch: JournalEntry[]; records: JournalRecord[]; lines: string[]; bytes: Buffer } {
    let take = this.pending.length;
    let text = '';
    const lines: string[] = [];
    const records: JournalRecord[] = [];
    let prev = this.lastHash;
    let id = this.lastId;
    for (let i = 0; i < take; i++) {
      const e = this.pending[i]!;
      id++;
      const body = recordBody(
        id,
        e.receivedAt,
        e.sessionJson,
        e.seq,
        e.source,
        e.projectJson,
        JSON.stringify(e.eventType),
        JSON.stringify(e.description),
        e.timestamp,
        JSON.stringify(e.fields),
        prev,
      );
      const hash = sha256(body);
      const line = sealRecord(body, hash);
      lines.push(line);
      text += line + '\n';
      records.push({
        id,
        received_at: e.receivedAt,
        session: e.session,
        seq: e.seq,
        source: e.source,
        project_name: e.projectName,
        event_type: e.eventType,
        event_description: e.description,
        timestamp: e.timestamp,
        fields: e.fields,
        prev_hash: prev,
        hash,
      });
      prev = hash;
      if (text.length > this.opts.maxBatchBytes) {
        take = i + 1;
        break;
      }
    }
    const batch = this.pending.slice(0, take);
    this.pending = this.pending.slice(take);
    return { batch, records, lines, bytes: Buffer.from(text, 'utf8') };
  }

  /** Opens (or rotates to) today's segment. */
  private ensureSegment(): void {
    const name = segmentName(this.opts.now());
    if (this.fd >= 0 && name <= this.segment) return;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.fd = openSync(join(this.dir, name), 'a', 0o600);
    this.segment = name;
    this.size = fstatSync(this.fd).size;
  }

  /** Records a write failure and cuts any partial bytes back off the segment. */
  private async fail(err: NodeJS.ErrnoException): Promise<void> {
    this.fault = {
      code: err.code ?? 'EIO',
      message: `journal write failed: ${err.message}`,
      since: this.fault?.since ?? this.opts.now(),
    };
    if (this.fd >= 0) {
      try {
        await ftruncateAsync(this.fd, this.size);
      } catch {
        // The file may be unwritable altogether; reopening on the next try re-reads its real size.
        try {
          closeSync(this.fd);
        } catch {
          /* already gone */
        }
        this.fd = -1;
      }
    }
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryMs = Math.min(this.opts.retryMaxMs, Math.max(this.opts.retryBaseMs, this.retryMs * 2));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.pending.length > 0 && !this.writing) {
        this.writing = true;
        void this.writeLoop();
      }
    }, this.retryMs);
    this.retryTimer.unref();
  }
}

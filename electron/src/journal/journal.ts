import { closeSync, existsSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { close, fdatasync, fsync, ftruncate, open, write } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { GENESIS_HASH, recordBody, recordExtras, SEAL_LENGTH, type JournalRecord } from '@ic-audit/shared';
import { CommitTimeline } from './commit-timeline.js';
import { CommittedRecord } from './committed-record.js';
import type { JournalEntry } from './journal-entry.js';

export type { JournalEntry };
import { sha256Bytes } from './hash.js';
import { SealWorker, sealChain, sealedHash, WORKER_MIN_LINES } from './seal-chain.js';
import { segmentName } from './segments.js';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const ftruncateAsync = promisify(ftruncate);
const closeAsync = promisify(close);
const openAsync = promisify(open);
const fsyncAsync = promisify(fsync);
/** Longest a close waits for the queue to reach the disk, and then for a failing write to be cut back. */
export const CLOSE_WAIT_MS = 10_000;
/** Initial size of the encoding buffer (see Journal.scratch). */
const SCRATCH_BYTES = 1 << 20;

/**
 * One group commit, handed to the journal's owner once it is on disk. Records are not built as objects here:
 * most commits only need acks and bytes, and {@link batchRecords} makes the objects for whoever wants them.
 */
export interface CommittedBatch {
  entries: readonly JournalEntry[];
  /** Id of the first record; ids rise by one per entry. */
  firstId: number;
  /** prev_hash of the first record. */
  prevHash: string;
  /** Hash of record `i` of the batch (read from `bytes`: valid only during the callback too). */
  hashOf(i: number): string;
  /** The lines exactly as written, each ending in a newline. Valid only during the callback: copy what you keep. */
  bytes: Buffer;
  /** Offset just past each line in `bytes`, its newline excluded. */
  ends: Uint32Array;
}

/** The records of a committed batch as objects (for the console hub and NATS replication). */
export function batchRecords(b: CommittedBatch): JournalRecord[] {
  const out = new Array<JournalRecord>(b.entries.length);
  let prev = b.prevHash;
  for (let i = 0; i < b.entries.length; i++) {
    const e = b.entries[i]!;
    const hash = b.hashOf(i);
    const r = new CommittedRecord(e, b.firstId + i, prev, hash);
    out[i] = r;
    prev = hash;
  }
  return out;
}

/**
 * A drain refused because the journal closed before the events it waited for reached the disk (shutdown met a disk
 * fault): those events are not stored, and whoever waits must not answer as if they were.
 */
export class JournalClosedError extends Error {
  /** Stable code for the client (docs/protocol.md). */
  readonly code = 'E_STORAGE';
  constructor(fault: JournalFault | null) {
    super(
      `collector stopped before these events reached the disk${fault === null ? '' : ` (${fault.message})`}; not stored, resend later`,
    );
    this.name = 'JournalClosedError';
  }
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
  /** Called when a group commit has taken the queue (it is short again while that batch goes to disk). */
  onQueueTaken: () => void;
}

/** Defaults for {@link JournalOptions}. */
export const JOURNAL_DEFAULTS: Readonly<JournalOptions> = Object.freeze({
  retryBaseMs: 200,
  retryMaxMs: 5_000,
  maxBatchBytes: 8 << 20,
  now: Date.now,
  onQueueTaken: () => undefined,
});

/**
 * Append-only, hash-chained JSON-lines journal with group commit: entries queue in memory, one writer turns the
 * whole queue into lines, writes them with one write() and one fdatasync(), and only then reports them committed;
 * the next batch is built while one is on its way to the disk. A failed write is cut back off the file and retried;
 * nothing is reported committed that is not on disk.
 */
export class Journal {
  private readonly opts: JournalOptions;
  private pending: JournalEntry[] = [];
  private writing = false;
  /** The running write loop, so close() can let a write in flight finish (or be cut back) before closing the fd. */
  private loop: Promise<void> = Promise.resolve();
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
  private barriers: Array<{ target: number; resolve: () => void; reject: (err: Error) => void }> = [];
  /** The journal folder was just made: its own entry in the data dir is synced with the first segment's. */
  private dirIsNew: boolean;
  /**
   * Lines are encoded straight into these buffers and written to disk from them, in turn (grown when a batch needs
   * more), so their pages stay warm: fresh memory per batch costs more in page faults than the copy.
   */
  private scratches: [Scratch, Scratch] = [newScratch(SCRATCH_BYTES), newScratch(SCRATCH_BYTES)];
  /** Which scratch the next batch is encoded into: two, so one batch is built while the one before is written. */
  private flip = 0;
  /** Id and hash of the last record built and sealed: past the durable ones while a batch is on its way to disk. */
  private tipId: number;
  private tipHash: string;
  /** Seals big batches (prev hashes, hashes) on a second thread while this one reads on (seal-chain.ts). */
  private readonly sealer = new SealWorker();
  /** Per-commit timeline for latency analysis, only with IC_AUDIT_COMMIT_TIMELINE set (commit-timeline.ts). */
  private readonly timeline = CommitTimeline.fromEnv();
  /** Current write failure, or null. */
  fault: JournalFault | null = null;

  constructor(
    private readonly dir: string,
    start: { lastId: number; lastHash: string; segment?: string; offset?: number },
    private readonly onCommit: (batch: CommittedBatch) => void,
    opts: Partial<JournalOptions> = {},
  ) {
    this.opts = { ...JOURNAL_DEFAULTS, ...opts };
    this.lastId = start.lastId;
    this.lastHash = start.lastHash || GENESIS_HASH;
    this.tipId = this.lastId;
    this.tipHash = this.lastHash;
    this.sealer.start();
    // Where the replayed journal ends, so a checkpoint can be taken before the first new write.
    this.segment = start.segment ?? '';
    this.size = start.offset ?? 0;
    this.dirIsNew = mkdirSync(dir, { recursive: true }) !== undefined;
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
    if (this.pending.push(entry) === 1 && this.timeline !== null) this.timeline.queued();
    this.appended++;
    if (!this.writing && this.retryTimer === null) {
      this.writing = true;
      setImmediate(() => {
        this.loop = this.writeLoop();
      });
    }
  }

  /**
   * Waits at most `timeoutMs` for everything appended so far to be durable; true when it is. Never rejects, so a
   * stop on a failing disk is bounded (the retry loop would otherwise keep it waiting for ever).
   */
  async settle(timeoutMs: number): Promise<boolean> {
    if (this.pending.length === 0 && !this.writing) return this.committedCount >= this.appended;
    let timer: NodeJS.Timeout | undefined;
    const drained = this.drain().then(
      () => true,
      () => false,
    );
    const result = await Promise.race([
      drained,
      new Promise<boolean>((res) => (timer = setTimeout(() => res(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return result;
  }

  /**
   * Resolves once everything appended before this call is durable. Later appends do not delay it, so a POST waiting
   * for its own events is never starved by other clients' traffic. Rejects with {@link JournalClosedError} when the
   * journal closes first: an ack sent on that would claim events that are not on disk.
   */
  drain(): Promise<void> {
    const target = this.appended;
    if (this.committedCount >= target) return Promise.resolve();
    if (this.closed) return Promise.reject(new JournalClosedError(this.fault));
    return new Promise((resolve, reject) => this.barriers.push({ target, resolve, reject }));
  }

  /**
   * Commits what is queued (retrying while the disk allows, up to `timeoutMs`) and closes the file. Drains still
   * waiting then are refused, not released.
   */
  async close(timeoutMs = CLOSE_WAIT_MS): Promise<void> {
    await this.settle(timeoutMs);
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.writing) {
      // A failing write still in flight must get to cut its bytes back off the segment: closing the fd under it
      // would leave whole, never-synced lines there, which the next start would take for stored records.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.loop, new Promise((res) => (timer = setTimeout(res, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
    }
    if (this.fd >= 0) await closeAsync(this.fd).catch(() => undefined);
    this.fd = -1;
    this.releaseBarriers();
    await this.sealer.close();
    this.timeline?.flush();
    const refused = new JournalClosedError(this.fault);
    for (const b of this.barriers.splice(0)) b.reject(refused);
  }

  private async writeLoop(): Promise<void> {
    const timeline = this.timeline;
    /** The batch built and sealed while the one before it went to disk. */
    let next: Promise<Built> | null = null;
    while ((this.pending.length > 0 || next !== null) && !this.closed) {
      const built: Built = await (next ?? this.prepare());
      next = null;
      const length = built.length;
      const scratch = built.scratch.buf;
      try {
        await this.ensureSegment();
        let off = 0;
        const first = writeAsync(this.fd, scratch, 0, length, null);
        // Two stages in flight: while this batch is written and synced, this thread builds the next one (and the
        // seal worker hashes it), so the queue is taken and ingest resumes a whole disk round trip sooner.
        if (this.pending.length > 0) next = this.prepare();
        off += (await first).bytesWritten;
        while (off < length) {
          off += (await writeAsync(this.fd, scratch, off, length - off, null)).bytesWritten;
        }
        if (timeline) timeline.mark(built.row!);
        await fdatasyncAsync(this.fd);
        if (timeline) timeline.mark(built.row!);
      } catch (err) {
        await this.fail(err as NodeJS.ErrnoException);
        // Whatever was built after this batch chains from it: unbuild it too, and start again from the disk.
        const ahead = next === null ? [] : (await next).entries;
        this.pending = built.entries.concat(ahead, this.pending);
        this.tipId = this.lastId;
        this.tipHash = this.lastHash;
        this.writing = false;
        this.scheduleRetry();
        return;
      }
      const count = built.entries.length;
      const bytes = scratch.subarray(0, length);
      const ends = built.ends;
      const batch: CommittedBatch = {
        entries: built.entries,
        firstId: this.lastId + 1,
        prevHash: this.lastHash,
        hashOf: (i) => sealedHash(bytes, ends[i]!),
        bytes,
        ends,
      };
      this.size += length;
      this.lastId += count;
      this.lastHash = built.lastHash;
      this.fault = null;
      this.retryMs = 0;
      this.committedCount += count;
      this.onCommit(batch);
      if (timeline) timeline.done(built.row!, count, lastSeq(built.entries));
      this.releaseBarriers();
    }
    if (next !== null) {
      // Closed with a batch built but not written: it is not stored; back to the queue (close refuses its drains).
      this.pending = (await next).entries.concat(this.pending);
      this.tipId = this.lastId;
      this.tipHash = this.lastHash;
    }
    this.writing = false;
  }

  /** Takes the head of the queue as the next batch: encoded into the free scratch, then sealed. */
  private async prepare(): Promise<Built> {
    const row = this.timeline?.taken() ?? null;
    const scratch = this.scratches[this.flip]!;
    this.flip ^= 1;
    const prevHash = this.tipHash;
    const built = this.build(scratch);
    this.opts.onQueueTaken();
    const count = built.entries.length;
    await this.seal(scratch, built.ends, count, prevHash);
    const lastHash = sealedHash(scratch.buf, built.ends[count - 1]!);
    this.tipHash = lastHash;
    if (row !== null) this.timeline!.mark(row);
    return { ...built, scratch, lastHash, row };
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

  /**
   * Encodes the head of the queue as lines into the scratch buffer, each with a placeholder prev_hash and room for
   * its seal (filled by {@link seal}); the batch goes to disk from that same memory, and the window copies its lines
   * from there. A collector head (an entry with `seal`) signs the record before it, so it starts a batch of its own:
   * its predecessor's hash is then known.
   */
  private build(scratch: Scratch): { entries: JournalEntry[]; ends: Uint32Array; length: number } {
    const pending = this.pending;
    let take = pending.length;
    const ends = new Uint32Array(take);
    let id = this.tipId;
    let off = 0;
    // A frame's events share their received_at: print that double once, not once a line.
    let receivedAt = NaN;
    let receivedAtText = '';
    for (let i = 0; i < take; i++) {
      const e = pending[i]!;
      if (e.seal !== undefined && i > 0) {
        take = i;
        break;
      }
      id++;
      if (e.receivedAt !== receivedAt) receivedAtText = String((receivedAt = e.receivedAt));
      const body = recordBody(
        id,
        receivedAtText,
        e.sessionJson,
        e.seq,
        e.source,
        e.projectJson,
        e.typeJson ?? JSON.stringify(e.eventType),
        e.descriptionJson ?? (e.description === null ? 'null' : JSON.stringify(e.description)),
        e.timestampJson ?? e.timestamp,
        e.layout === null && e.fieldsText === null ? '' : recordExtras(e.layout, e.fieldsText),
        e.seal === undefined ? e.fieldsJson : e.seal(id - 1, this.tipHash),
        GENESIS_HASH,
      );
      // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
      const room = off + body.length * 3 + SEAL_LENGTH + 1;
      if (room > scratch.buf.length) grow(scratch, off, room);
      const buf = scratch.buf;
      off += buf.write(body, off, 'utf8') + SEAL_LENGTH;
      ends[i] = off;
      buf[off++] = 0x0a;
      if (off > this.opts.maxBatchBytes) {
        take = i + 1;
        break;
      }
    }
    const entries = take === pending.length ? pending : pending.slice(0, take);
    this.pending = take === pending.length ? [] : pending.slice(take);
    this.tipId = id;
    return { entries, ends: take === ends.length ? ends : ends.slice(0, take), length: off };
  }

  /**
   * Writes the prev_hash and seal of every line {@link build} encoded, chained from `prevHash`: on the
   * seal worker for a big batch (this thread reads on meanwhile), here for a small one or when the worker failed.
   */
  private async seal(scratch: Scratch, ends: Uint32Array, count: number, prevHash: string): Promise<void> {
    if (count >= WORKER_MIN_LINES) {
      try {
        return await this.sealer.seal(this.scratches.indexOf(scratch), scratch.shared, ends, count, prevHash);
      } catch {
        // The worker is gone: seal here (whatever it wrote is overwritten alike).
      }
    }
    sealChain(scratch.bytes, ends, count, prevHash, sha256Bytes);
  }

  /**
   * Opens (or rotates to) today's segment. A new segment's directory entry is fsync'd before anything in it can be
   * acked: fdatasync covers the file's bytes, not the name that finds them after a power cut.
   */
  private async ensureSegment(): Promise<void> {
    const name = segmentName(this.opts.now());
    if (this.fd >= 0 && name <= this.segment) return;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    const path = join(this.dir, name);
    const created = !existsSync(path);
    const fd = openSync(path, 'a', 0o600);
    try {
      const size = fstatSync(fd).size;
      if (name === this.segment && size > this.size) {
        // Reopened after a failed write whose ftruncate failed too: its bytes are still there, and appending after
        // them would bury a torn line inside the journal. Cut back to the last good size first.
        await ftruncateAsync(fd, this.size);
      } else {
        this.size = size;
      }
      if (created) {
        await syncDir(this.dir);
        if (this.dirIsNew) await syncDir(dirname(this.dir));
        this.dirIsNew = false;
      }
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.fd = fd;
    this.segment = name;
  }

  /** Records a write failure and cuts any partial bytes back off the segment (or, failing that, on reopening). */
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
        // The file may be unwritable altogether; the next try reopens it and cuts it back to this.size first.
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
        this.loop = this.writeLoop();
      }
    }, this.retryMs);
    this.retryTimer.unref();
  }
}

/** A buffer batches are encoded into, shared with the seal worker; `buf` and `bytes` are views of `shared`. */
interface Scratch {
  shared: SharedArrayBuffer;
  buf: Buffer;
  /** A plain Uint8Array view: its subarray() views, one per record hashed, are cheaper than Buffer's. */
  bytes: Uint8Array;
}

function newScratch(size: number): Scratch {
  const shared = new SharedArrayBuffer(size);
  return { shared, buf: Buffer.from(shared), bytes: new Uint8Array(shared) };
}

/** Replaces `s`'s memory by at least `size` bytes, keeping its first `used`. */
function grow(s: Scratch, used: number, size: number): void {
  const next = newScratch(Math.max(size, s.buf.length * 2));
  s.buf.copy(next.buf, 0, 0, used);
  Object.assign(s, next);
}

/** A batch built and sealed, ready for the disk. */
interface Built {
  entries: JournalEntry[];
  ends: Uint32Array;
  length: number;
  scratch: Scratch;
  /** Hash of its last record. */
  lastHash: string;
  /** Its commit-timeline row, when the timeline is on. */
  row: number[] | null;
}

/** Highest bot seq in a batch (for the commit timeline). */
function lastSeq(entries: readonly JournalEntry[]): number {
  let seq = 0;
  for (const e of entries) if (e.seq > seq) seq = e.seq;
  return seq;
}

/** fsyncs a directory, so the entries created in it survive a power cut. */
async function syncDir(dir: string): Promise<void> {
  const fd = await openAsync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } finally {
    await closeAsync(fd);
  }
}

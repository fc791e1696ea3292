import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  CollectorEvents,
  protocolError,
  type DumpResult,
  type EventFields,
  type FlatEvent,
  type HealthInfo,
  type IntegrityInfo,
  type JournalRecord,
  type ProjectInfo,
  type ProtocolError,
  type ReceivedEvent,
  type SessionInfo,
} from '@ic-audit/shared';
import { plaintextWarning, type CollectorConfig } from '../settings/config.js';
import { DUMPS_DIR } from '../dump/dump-writer.js';
import { batchRecords, CLOSE_WAIT_MS, Journal, type CommittedBatch } from '../journal/journal.js';
import { JOURNAL_DIR } from '../journal/segments.js';
import { Checkpointer, type Checkpoint } from './checkpoint.js';
import { recoverJournal } from './recovery.js';
import { readRanges, tailRanges } from '../journal/tail-lines.js';
import { auditInWorker, integrityFromAudit } from '../integrity/audit.js';
import { openIntegrity, type Integrity, type KeyInfo } from '../integrity/collector-integrity.js';
import type { HeadSigner } from '../integrity/head-signer.js';
import { parsePublicKey, trustKeys, type KeyStore, type SigningKey } from '../integrity/signing-key.js';
import { checkDump, type DumpVerdict } from '../integrity/verify-dump.js';
import { queryRecords, recentFromDisk } from '../read-model/query.js';
import type { AckSink, CollectorApi, DumpOptions, HelloMeta, IngestTarget, RecordQuery, Replicator } from './api.js';
import { LineWindow } from './line-window.js';
import { acceptFlat, acceptFlatOnce, refuse, type FlatIngestHost } from './flat-ingest.js';
import { AckRouter } from './ack-router.js';
import { LiveFeed } from '../read-model/live-feed.js';
import { SessionTable, type SessionState } from '../read-model/sessions.js';
import { VERSION } from '../settings/version.js';
import { DrainWaiters } from './drain-waiters.js';
import { DumpRunner } from './dump-runner.js';
import { collectorEntry, eventEntry, nowSeconds, preciseNow, type EventBody } from './journal-entries.js';

/**
 * The collector core: journal + session table + recent window. Transport code (WebSocket, POST, legacy TCP)
 * hands it parsed events; it dedups, records gaps, queues for the journal and routes acks once durable.
 */
export class Collector implements CollectorApi, IngestTarget, FlatIngestHost {
  readonly version = VERSION;
  readonly dataDir: string;
  private readonly feed = new LiveFeed();
  private readonly table = new SessionTable();
  /** Newest records as the journal's bytes. */
  private readonly window: LineWindow;
  /** Resolves once the window holds the journal's tail (see LineWindow.load). */
  windowLoaded: Promise<void> = Promise.resolve();
  private readonly acks = new AckRouter();
  private journal!: Journal;
  private integrity: IntegrityInfo;
  private tornFiles: string[] = [];
  /** Records on disk: those the last full check read plus those written since (each chained by the writer). */
  private recordsOnDisk = 0;
  /** Start-up checkpoints (a full replay is their fallback). */
  private readonly checkpoints: Checkpointer;
  private startedAt: number;
  private totalEvents = 0;
  private stopping = false;
  /** Dumps, one at a time, each after a fresh signed head. */
  private readonly dumps: DumpRunner;
  private readonly now: () => number;
  /** NATS mode: committed records are acked only once this has replicated them. */
  private replicator: Replicator | null = null;
  /** Ingest connections that stopped reading because the journal is behind (see congested()). */
  private readonly drainedWaiters = new DrainWaiters();
  /** Signed heads and what the start found (docs/integrity.md). */
  private signed!: Integrity;

  private constructor(
    private readonly config: CollectorConfig,
    now: () => number,
  ) {
    this.dataDir = config.dataDir;
    this.now = now;
    this.window = new LineWindow(config.recentWindow, config.recentWindowBytes);
    this.startedAt = now();
    this.integrity = { ok: true, records: 0, first_bad_id: null, message: 'not checked yet', checked_at: 0 };
    this.dumps = new DumpRunner({
      dataDir: this.dataDir,
      now,
      drain: () => this.drain(),
      sessionProject: (id) => this.table.get(id)?.project,
      projectNames: () => this.table.projectNames(),
      signer: () => this.signed.signer,
    });
    this.checkpoints = new Checkpointer(join(this.dataDir, JOURNAL_DIR), config.checkpointEvery, () =>
      this.checkpointState(),
    );
  }

  /**
   * Replays the journal (cutting off and keeping aside a torn tail) and opens it for appending. With a
   * `replicator` (NATS mode), acks wait for it as well as for the journal.
   */
  static async open(
    config: CollectorConfig,
    now: () => number = preciseNow,
    replicator: Replicator | null = null,
    keyStore: KeyStore | null = null,
  ): Promise<Collector> {
    const c = new Collector(config, now);
    c.replicator = replicator;
    const dir = join(config.dataDir, JOURNAL_DIR);
    // The key first: a key that cannot be used stops the start before anything is written.
    const integrity = openIntegrity(config, keyStore, now);
    const recovered = await recoverJournal(dir, c.table, now);
    const scan = recovered.scan;
    c.integrity = recovered.integrity;
    c.recordsOnDisk = recovered.recordsOnDisk;
    c.totalEvents = recovered.totalEvents;
    c.tornFiles = recovered.tornFiles;
    // The window is read back from the journal's tail in the background, whether or not there was a checkpoint:
    // the collector serves meanwhile, answering from disk.
    const tail = tailRanges(dir, config.recentWindow, c.window.byteCapacity);
    c.windowLoaded = c.window
      .load((ring) => readRanges(tail, ring))
      .catch((err: Error) => {
        process.stderr.write(`ic-audit: recent window not loaded (queries read the journal): ${err.message}\n`);
      });
    if (!c.integrity.ok) process.stderr.write(`ic-audit: integrity: ${c.integrity.message}\n`);
    const last = scan.segments.at(-1);
    const end = last === undefined ? {} : { segment: basename(last), offset: statSync(last).size };
    c.journal = new Journal(
      dir,
      { lastId: scan.lastId, lastHash: scan.lastHash, ...end },
      (batch) => c.committed(batch),
      {
        now,
        onQueueTaken: () => c.releaseDrainedWaiters(),
      },
    );
    c.signed = await integrity.start(c.journal, scan.lastId, recovered.journalHead?.fields ?? null);
    for (const f of c.signed.startFindings)
      process.stderr.write(`ic-audit: INTEGRITY ${f.severity.toUpperCase()} ${f.code}: ${f.message}\n`);
    c.integrity = c.signed.provisional(c.integrity);
    // After a checkpoint start the chain is checked behind; with signed heads, they are too (a fresh or pre-signing
    // journal without a checkpoint was fully checked above).
    if (recovered.fromCheckpoint || c.signed.hadHeads) c.checkInBackground(dir);
    return c;
  }

  /** Full chain and head check in a worker thread; its verdict replaces the provisional one. */
  private checkInBackground(dir: string): void {
    const provisional = this.integrity;
    void auditInWorker(this.signed.auditOptions(dir, this.now())).then(
      (report) => {
        if (this.integrity !== provisional) return; // a newer verify() already answered
        this.integrity = integrityFromAudit(
          report,
          nowSeconds(this.now),
          this.signed.fingerprint,
          this.signed.startFindings,
        );
        if (!this.integrity.ok) process.stderr.write(`ic-audit: integrity: ${this.integrity.message}\n`);
      },
      (err: Error) => {
        this.integrity = { ...this.integrity, message: `full check failed to run: ${err.message}` };
      },
    );
  }

  // ---- ingest ------------------------------------------------------------------------------------------------

  /** Refusal when the journal cannot take more right now (disk failing, backlog full, shutting down). */
  storageRefusal(): ProtocolError | null {
    if (this.stopping) return protocolError('E_SHUTTING_DOWN', 'collector is shutting down; reconnect later');
    const fault = this.journal.fault;
    if (fault !== null) return protocolError('E_STORAGE', `${fault.message}; nothing accepted, resend later`);
    if (this.journal.pendingCount >= this.config.maxPendingEvents) {
      return protocolError('E_STORAGE', 'journal backlog full; nothing accepted, resend later');
    }
    if (this.replicator !== null && this.replicator.pendingCount >= this.config.maxPendingEvents) {
      return protocolError(
        'E_STORAGE',
        `replication backlog full (${this.replicator.fault ?? 'NATS slow'}); nothing accepted, resend later`,
      );
    }
    return null;
  }

  /**
   * True while more events wait for the disk (or for replication) than `ingestPauseAt`: WebSocket ingest then stops
   * reading until {@link whenDrained}, so the backlog stays in the kernel's socket buffers and TCP slows the bots,
   * instead of piling up here as parsed objects (which the garbage collector would copy again and again).
   */
  congested(): boolean {
    return this.backlog() >= this.config.ingestPauseAt;
  }

  /** Events accepted and not yet durable (and, in NATS mode, waiting to be replicated). */
  private backlog(): number {
    const r = this.replicator;
    return this.journal.pendingCount + (r === null ? 0 : (r.waitingCount ?? r.pendingCount));
  }

  /**
   * Calls `resume` once the backlog is down to a quarter of `ingestPauseAt` (checked whenever a group commit takes
   * the queue, so reading resumes while that batch is written, and after each commit).
   */
  whenDrained(resume: () => void): void {
    this.drainedWaiters.add(resume);
  }

  private releaseDrainedWaiters(): void {
    this.drainedWaiters.release(this.backlog(), this.config.ingestPauseAt);
  }

  /** Registers a hello; writes a session record when the session is new or its metadata changed. */
  hello(
    session: string,
    project: ProjectInfo,
    meta: HelloMeta,
    sink: AckSink | null,
  ): { state: SessionState } | ProtocolError {
    const known = this.table.get(session);
    if (known !== undefined && known.project.project_name !== project.project_name) {
      return protocolError(
        'E_BAD_HELLO',
        `session ${session} belongs to project ${JSON.stringify(known.project.project_name)}`,
      );
    }
    const now = nowSeconds(this.now);
    const { state, changed } = this.table.declare(session, project, meta, now);
    if (changed) {
      this.appendInternal(state, CollectorEvents.SESSION, 'Session declared.', {
        project_market: project.project_market,
        project_description: project.project_description,
        project_privileges: project.project_privileges,
        source: meta.source,
        sdk: meta.sdk,
        host: meta.host,
        pid: meta.pid,
        dropped: meta.dropped,
      });
    }
    if (sink !== null) {
      this.acks.attach(session, sink);
      state.connected = true;
    }
    if (changed || sink !== null) this.feed.emitSession(this.table.view(state));
    return { state };
  }

  /** Marks a session's connection gone (only if `sink` is still its current one). */
  disconnected(session: string, sink: AckSink): void {
    if (!this.acks.detach(session, sink)) return;
    const state = this.table.get(session);
    if (state === undefined) return;
    state.connected = false;
    state.last_seen = nowSeconds(this.now);
    this.feed.emitSession(this.table.view(state));
  }

  /** Accepts a frame of events for a session: resent seqs are skipped, jumps recorded as gaps. */
  acceptEvents(
    state: SessionState,
    events: readonly ReceivedEvent[],
  ): { accepted: number; duplicates: number } | ProtocolError {
    const refusal = this.storageRefusal();
    if (refusal !== null) return refusal;
    const now = nowSeconds(this.now);
    let accepted = 0;
    for (const e of events) {
      if (e.seq <= state.last_seq) continue;
      if (e.seq > state.last_seq + 1) this.recordGap(state, state.last_seq + 1, e.seq - 1);
      this.appendEvent(state, e.seq, e, now);
      accepted++;
    }
    if (accepted === 0 && state.acked >= (events[events.length - 1]?.seq ?? 0)) {
      // Everything was already durable: re-ack so a client that missed the ack stops resending.
      this.acks.reack(state.session, state.acked);
    }
    return { accepted, duplicates: events.length - accepted };
  }

  /** Accepts flat seed-style events (POST, legacy, import): see collector/flat-ingest.ts. */
  acceptFlat(events: readonly FlatEvent[], source: 'http' | 'legacy' | 'import', key = ''): number | ProtocolError {
    return acceptFlat(this, events, source, key);
  }

  /** Accepts POSTed events under an `Idempotency-Key`: see collector/flat-ingest.ts. */
  acceptFlatOnce(
    events: readonly FlatEvent[],
    indexes: readonly number[],
    idempotencyKey: string,
  ): { accepted: number; duplicates: number[] } | ProtocolError {
    return acceptFlatOnce(this, events, indexes, idempotencyKey);
  }

  /** Records a refused legacy / POST message: see collector/flat-ingest.ts. */
  refuse(source: 'legacy' | 'http', project: ProjectInfo | null, code: string, reason: string, text: string): void {
    const state = refuse(this, source, project, code, reason, text);
    if (state !== null) this.feed.emitSession(this.table.view(state));
  }

  /** The state of a known session (flat ingest reads it to keep a refused project's metadata). */
  knownSession(id: string): SessionState | undefined {
    return this.table.get(id);
  }

  /** The collector's clock now, epoch seconds. */
  receivedNow(): number {
    return nowSeconds(this.now);
  }

  /** Appends a bot's event to a session (for this class and collector/flat-ingest.ts). */
  appendEvent(state: SessionState, seq: number, e: EventBody, now: number): void {
    state.last_seq = seq;
    this.table.noteEvent(state, e.event_type, e.timestamp, now);
    this.totalEvents++;
    this.journal.append(eventEntry(state, seq, e, now));
  }

  private recordGap(state: SessionState, from: number, to: number): void {
    state.gaps++;
    state.missing += to - from + 1;
    this.appendInternal(state, CollectorEvents.GAP, `Events ${from}..${to} never arrived.`, {
      from_seq: from,
      to_seq: to,
      missing: to - from + 1,
    });
  }

  /** A record of the collector's own (source "collector", seq 0), in a session's stream. */
  appendInternal(state: SessionState, type: string, description: string, fields: EventFields): void {
    this.journal.append(collectorEntry(state, type, description, fields, nowSeconds(this.now)));
  }

  /**
   * Journal callback: a batch is durable; update acks (after replication in NATS mode), window, listeners. Record
   * objects are only made when someone takes them (a console is connected, or NATS replicates).
   */
  private committed(batch: CommittedBatch): void {
    const acks = new Map<string, number>();
    const count = batch.entries.length;
    this.recordsOnDisk += count;
    this.window.push(batch.bytes, batch.ends, batch.firstId);
    for (const e of batch.entries) if (e.seq > 0) acks.set(e.session, e.seq);
    let records: JournalRecord[] | null = null;
    if (this.replicator === null) this.acks.send(acks, this.table);
    else {
      const r = this.replicator;
      const replicated = r.replicateLines ? r.replicateLines(batch) : r.replicate((records = batchRecords(batch)));
      void replicated.then(() => {
        this.acks.send(acks, this.table);
        this.releaseDrainedWaiters();
      });
    }
    this.releaseDrainedWaiters();
    if (this.feed.wantsRecords) this.feed.emitRecords(records ?? batchRecords(batch));
    this.checkpoints.committed(count, this.journal.idle);
  }

  /** The state to checkpoint right now; null unless the journal is idle, healthy and not empty. */
  private checkpointState(): Checkpoint | null {
    const { segment, offset } = this.journal.position();
    if (segment === '' || !this.journal.idle || this.journal.fault !== null) return null;
    return {
      v: 1,
      segment,
      offset,
      last_id: this.journal.lastRecordId,
      last_hash: this.journal.lastRecordHash,
      records: this.recordsOnDisk,
      events: this.totalEvents,
      sessions: this.table.snapshot(),
      written_at: new Date(this.now()).toISOString(),
    };
  }

  /** Resolves once everything accepted so far is durable (and replicated in NATS mode). */
  drain(): Promise<void> {
    const r = this.replicator;
    return r === null ? this.journal.drain() : this.journal.drain().then(() => r.drain());
  }

  /** Every project name known, in first-seen order (the legacy `available_projects` answer). */
  projectNames(): string[] {
    return this.table.projectNames();
  }

  /** Folder for dumps the Python tool's clients ask for. */
  get legacyDumpDir(): string {
    return this.config.legacyDumpDir ?? join(this.dataDir, DUMPS_DIR);
  }

  /** Writes the v0.4.7 server's compact text dump (legacy `dump_compact`) into {@link legacyDumpDir}. */
  compactDump(filters: readonly string[]): Promise<string> {
    return this.dumps.compact(this.legacyDumpDir, filters);
  }

  /** Called with every dump written (its path and counts), to tell the user where it went. */
  onDumped(listener: (result: DumpResult) => void): () => void {
    return this.dumps.onDumped(listener);
  }

  /** Stops accepting, commits (and replicates) what was received and closes the journal. */
  async close(): Promise<void> {
    this.stopping = true;
    // A clean stop ends with a signed stop head covering everything received; a disk that keeps failing gets none,
    // and the wait for it is bounded (the close then refuses what never reached the disk).
    const settled = await this.journal.settle(CLOSE_WAIT_MS);
    if (settled && this.journal.fault === null) {
      await this.signed.signer
        .stop()
        .catch((err: Error) => process.stderr.write(`ic-audit: stop head not signed: ${err.message}\n`));
    }
    await this.journal.close(settled ? CLOSE_WAIT_MS : 0);
    await this.replicator?.close();
    // A periodic checkpoint may still be writing: the final one waits for it rather than racing it for the temp file.
    await this.checkpoints.final();
  }

  // ---- CollectorApi ------------------------------------------------------------------------------------------

  onRecords(listener: (records: readonly JournalRecord[]) => void): () => void {
    return this.feed.onRecords(listener);
  }

  onSession(listener: (session: SessionInfo) => void): () => void {
    return this.feed.onSession(listener);
  }

  sessions(): SessionInfo[] {
    return this.table.all().map((s) => this.table.view(s));
  }

  /** Internal state of a session, for transports. */
  session(id: string): SessionState | undefined {
    return this.table.get(id);
  }

  project(name: string): ProjectInfo | undefined {
    return this.table.project(name);
  }

  recent(limit: number): JournalRecord[] {
    return this.window.loading ? recentFromDisk(join(this.dataDir, JOURNAL_DIR), limit) : this.window.newest(limit);
  }

  query(q: RecordQuery): Promise<JournalRecord[]> {
    return queryRecords(join(this.dataDir, JOURNAL_DIR), this.window, q);
  }

  dump(opts: DumpOptions): Promise<DumpResult> {
    return this.dumps.dump(opts);
  }

  signingKeyInfo(): KeyInfo | undefined {
    return this.signed.keyInfo;
  }

  /** Checks a dump file against its signed manifest with this collector's keys (the console's "Verify a dump"). */
  verifyDump(dump: Buffer, manifest: string): DumpVerdict {
    return checkDump(dump, manifest, trustKeys(...this.signed.trustedKeys().map(parsePublicKey)));
  }

  /** Signs a rotation head with the current key naming `next`, then signs with `next` (ic-audit key rotate). */
  rotateKey(next: SigningKey): ReturnType<HeadSigner['rotate']> {
    return this.signed.signer.rotate(next);
  }

  async verify(): Promise<IntegrityInfo> {
    await this.drain();
    const report = await auditInWorker(this.signed.auditOptions(join(this.dataDir, JOURNAL_DIR), this.now()));
    this.integrity = integrityFromAudit(
      report,
      nowSeconds(this.now),
      this.signed.fingerprint,
      this.signed.startFindings,
    );
    return this.integrity;
  }

  health(): HealthInfo {
    const fault = this.journal.fault ?? (this.replicator?.fault ? { message: this.replicator.fault } : null);
    return {
      status: fault === null && this.integrity.ok ? 'ok' : 'degraded',
      version: this.version,
      events: this.totalEvents,
      sessions: this.table.all().length,
      connected: this.table.connectedCount(),
      integrity: this.integrity.ok
        ? {
            ...this.integrity,
            records: this.recordsOnDisk,
            message: this.signed.okMessage(this.recordsOnDisk, this.integrity),
          }
        : this.integrity,
      journal: {
        writable: fault === null,
        error: fault === null ? null : fault.message,
        pending: this.backlog(),
        torn_files: this.tornFiles,
      },
      uptime_s: Math.round((this.now() - this.startedAt) / 1000),
      transport: { tls: this.config.tlsCert !== null, warning: plaintextWarning(this.config) },
    };
  }
}

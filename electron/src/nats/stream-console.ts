import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CollectorEvents,
  isCollectorRecord,
  type DumpResult,
  type HealthInfo,
  type IntegrityInfo,
  type JournalRecord,
  type ProjectInfo,
  type SessionInfo,
  type UnreadableSource,
} from '@ic-audit/shared';
import { Events, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { CollectorApi, DumpOptions, RecordQuery } from '../collector/api.js';
import { matches, queryWindow } from '../read-model/query.js';
import { RecentWindow } from '../read-model/recent-window.js';
import { SessionTable } from '../read-model/sessions.js';
import { LiveFeed } from '../read-model/live-feed.js';
import type { CollectorConfig } from '../settings/config.js';
import { defaultDumpPath, writeDump } from '../dump/dump-writer.js';
import { JOURNAL_DIR, segmentName } from '../journal/segments.js';
import { VERSION } from '../settings/version.js';
import { connectNats } from './nats-connection.js';
import { PresenceBook } from './presence.js';
import { SeenSet } from './seen-set.js';
import { SessionLookup } from './session-registry.js';
import { recordLine, type StreamRecord } from './stream-message.js';
import { followStream, scanStream, type StreamFollower } from './stream-reader.js';
import { ensureStream, NATS_DEFAULTS, type NatsConfig } from './stream-settings.js';
import { WriterChains } from './writer-chains.js';

/** Why a console-only instance refuses bots (the server answers them E_NO_INGEST with this). */
export const CONSOLE_ONLY_REFUSAL =
  'this is a console-only ic-audit (--console-only): it reads the NATS stream and stores nothing; send events to a collector';

/** Slack before a dump's window when picking where to start reading the stream (bot clocks running ahead). */
const DUMP_SLACK_S = 86_400;

/**
 * Drops stream duplicates: a writer's id seen before, or a bot's (session, seq) seen before (a bot that failed over
 * resends to its new collector what the old one stored but had not acked yet). Also drops an `ic-audit.gap` record
 * whose every seq is already in the stream: a collector new to a session (a bot failing over to it) journals the
 * seqs it never saw itself as a gap, but the old collector stored them (acked = in the stream, before the bot could
 * reconnect elsewhere), so the stream has no gap there.
 */
class Dedup {
  readonly chains: WriterChains;
  private readonly seqs = new Map<string, SeenSet>();

  /** `fromFirstId`: a walk over the whole stream, which still holds its first message (see WriterChains). */
  constructor(fromFirstId = false) {
    this.chains = new WriterChains(fromFirstId);
  }

  /** True when the record is new; checks its writer's chain on the way. */
  accept(m: StreamRecord): boolean {
    if (this.chains.check(m) === 'duplicate') return false;
    const r = m.record;
    if (r.source === 'collector' && r.event_type === CollectorEvents.GAP) return !this.filled(r);
    if (r.seq <= 0 || r.source !== 'ws') return true;
    const seen = this.seqs.get(r.session);
    if (seen !== undefined) return seen.add(r.seq);
    const fresh = new SeenSet(r.seq);
    fresh.add(r.seq);
    this.seqs.set(r.session, fresh);
    return true;
  }

  /** True when every seq a gap record names was seen in the stream already. */
  private filled(r: JournalRecord): boolean {
    const seen = this.seqs.get(r.session);
    const from = Number(r.fields['from_seq']);
    const to = Number(r.fields['to_seq']);
    if (seen === undefined || !Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) return false;
    return seen.covers(from, to);
  }
}

/** The stream record as the console shows it: its stream sequence is its id (unique across writers). */
function consoleRecord(m: StreamRecord): JournalRecord {
  return { ...m.record, id: m.id };
}

/**
 * The console's {@link CollectorApi} over the NATS stream (console-only mode): replays the last 30 h by the
 * stream's arrival time, then follows live; sessions are rebuilt from the records (and live connections from the
 * collectors' presence announcements); queries past the memory window, dumps and verify read the stream.
 * Record ids are `stream sequence × 10,000 + position in the message` (stream-message.ts `ID_SPAN`). A session whose
 * `ic-audit.session` record is older than the replay is completed from the session bucket (session-registry.ts).
 * Bots are refused ({@link CONSOLE_ONLY_REFUSAL}).
 */
export class StreamConsole implements CollectorApi {
  readonly version = VERSION;
  readonly dataDir: string;
  private readonly feed = new LiveFeed();
  private readonly table = new SessionTable();
  private readonly window: RecentWindow;
  private readonly live = new Dedup();
  private readonly presence = new PresenceBook();
  private readonly lookup: SessionLookup;
  /** Sessions whose session record came through the stream (the bucket is not needed for them). */
  private readonly declared = new Set<string>();
  private follower: StreamFollower | null = null;
  private lastId = 0;
  private events = 0;
  private caughtUp = false;
  private natsUp = true;
  private verified: IntegrityInfo | null = null;
  private readonly startedAt = Date.now();

  private constructor(
    config: CollectorConfig,
    private readonly cfg: NatsConfig,
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
  ) {
    this.dataDir = config.dataDir;
    this.window = new RecentWindow(config.recentWindow);
    this.lookup = new SessionLookup(nc, cfg.stream);
  }

  /** Connects, makes sure the stream exists, and starts replaying the last {@link NATS_DEFAULTS.replayHours} hours. */
  static async open(
    config: CollectorConfig,
    cfg: NatsConfig,
    opts: { replaySince?: Date } = {},
  ): Promise<StreamConsole> {
    const nc = await connectNats(cfg, 'ic-audit console');
    try {
      const jsm = await nc.jetstreamManager();
      await ensureStream(jsm, cfg);
      const c = new StreamConsole(config, cfg, nc, jsm, nc.jetstream());
      void c.watchStatus();
      c.presence.watch(nc, () => undefined);
      const since = opts.replaySince ?? new Date(Date.now() - NATS_DEFAULTS.replayHours * 3_600_000);
      c.follower = await followStream(
        c.js,
        cfg.stream,
        { time: since },
        (batch, caughtUp) => c.take(batch, caughtUp),
        (seq, why) => c.live.chains.unreadable(seq, why),
      );
      return c;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === Events.Disconnect) this.natsUp = false;
      else if (s.type === Events.Reconnect) this.natsUp = true;
    }
  }

  /** A batch from the live follower: dedup, chain check, sessions, window, listeners. */
  private take(batch: StreamRecord[], caughtUp: boolean): void {
    const out: JournalRecord[] = [];
    for (const m of batch) {
      if (m.id <= this.lastId) continue;
      this.lastId = m.id;
      if (!this.live.accept(m)) continue;
      const r = consoleRecord(m);
      this.noteSession(r);
      if (!isCollectorRecord(r)) this.events++;
      this.window.push(r);
      out.push(r);
    }
    this.caughtUp ||= caughtUp;
    if (out.length > 0) this.feed.emitRecords(out);
  }

  private noteSession(r: JournalRecord): void {
    const known = this.table.get(r.session);
    if (r.event_type !== CollectorEvents.SESSION && known === undefined) {
      // The session record is older than the replay window: declare it from what is known of the project.
      const project: ProjectInfo = this.table.project(r.project_name) ?? {
        project_name: r.project_name,
        project_market: '',
        project_description: '',
        project_privileges: [],
      };
      const source = r.source === 'collector' ? 'ws' : r.source;
      this.table.declare(r.session, project, { source, sdk: '', host: '', pid: 0, dropped: 0 }, r.received_at);
      void this.completeSession(r.session);
    }
    if (r.event_type === CollectorEvents.SESSION && r.source === 'collector') this.declared.add(r.session);
    this.table.replay(r);
    if (r.event_type === CollectorEvents.SESSION || known === undefined) {
      const state = this.table.get(r.session);
      if (state !== undefined) this.feed.emitSession(this.view(state));
    }
  }

  /** Fills in a session declared from a later record: its latest session record, from the session bucket. */
  private async completeSession(session: string): Promise<void> {
    const r = await this.lookup.get(session);
    const state = this.table.get(session);
    if (r === null || state === undefined || this.declared.has(session) || r.session !== session) return;
    const { last_seen: lastSeen, started_at: startedAt } = state;
    this.table.replay(r);
    state.last_seen = Math.max(lastSeen, state.last_seen);
    state.started_at = Math.min(startedAt, r.received_at);
    this.feed.emitSession(this.view(state));
  }

  private view(state: Parameters<SessionTable['view']>[0]): SessionInfo {
    return { ...this.table.view(state), connected: this.presence.connected(state.session) };
  }

  // ---- CollectorApi ------------------------------------------------------------------------------------------

  onRecords(listener: (records: readonly JournalRecord[]) => void): () => void {
    return this.feed.onRecords(listener);
  }

  onSession(listener: (session: SessionInfo) => void): () => void {
    return this.feed.onSession(listener);
  }

  sessions(): SessionInfo[] {
    return this.table.all().map((s) => this.view(s));
  }

  project(name: string): ProjectInfo | undefined {
    return this.table.project(name);
  }

  recent(limit: number): JournalRecord[] {
    return this.window.newest(limit);
  }

  /** Newest first: the memory window, then (when it does not reach) the stream from `since` (or its start). */
  async query(q: RecordQuery): Promise<JournalRecord[]> {
    const { out, reachedStart } = queryWindow(this.window, q);
    const before = q.before ?? Infinity;
    if (out.length >= q.limit || reachedStart) return out;
    const end = Math.min(before, this.window.oldestId);
    if (end <= 1) return out;
    const need = q.limit - out.length;
    const found: JournalRecord[] = [];
    const dedup = new Dedup();
    await scanStream(
      this.jsm,
      this.js,
      this.cfg.stream,
      q.since !== undefined ? { time: new Date(q.since * 1000) } : {},
      (m) => {
        if (m.id >= end) return false;
        if (!dedup.accept(m)) return;
        const r = consoleRecord(m);
        if (!matches(q, r)) return;
        found.push(r);
        if (found.length > need * 2) found.splice(0, found.length - need);
      },
      this.onUnreadable,
    );
    for (let i = found.length - 1; i >= 0 && out.length < q.limit; i--) out.push(found[i]!);
    return out;
  }

  /**
   * Writes a dump (same format and manifest as local mode) from the stream: the records are read into a temporary
   * journal folder and handed to the dump writer, so both modes produce identical files.
   */
  async dump(opts: DumpOptions): Promise<DumpResult> {
    const hours = opts.hours ?? NATS_DEFAULTS.replayHours;
    const start = opts.all ? {} : { time: new Date((Date.now() / 1000 - hours * 3600 - DUMP_SLACK_S) * 1000) };
    const tmp = await mkdtemp(join(this.dataDir, '.stream-dump-'));
    try {
      await mkdir(join(tmp, JOURNAL_DIR));
      const file = await open(join(tmp, JOURNAL_DIR, segmentName(Date.now())), 'w', 0o600);
      let buf = '';
      const dedup = new Dedup();
      const unreadable: UnreadableSource[] = [];
      try {
        await scanStream(
          this.jsm,
          this.js,
          this.cfg.stream,
          start,
          async (m) => {
            if (!dedup.accept(m)) return;
            // The exact line (fields as sent, byte for byte) with the console's id: dumps read it as local ones do.
            buf += recordLine(consoleRecord(m)) + '\n';
            if (buf.length >= 1 << 20) {
              await file.write(buf);
              buf = '';
            }
          },
          (seq, why) => {
            unreadable.push({ stream_seq: seq, reason: why });
            this.onUnreadable(seq, why);
          },
        );
        await file.write(buf);
      } finally {
        await file.close();
      }
      const out = opts.out ?? defaultDumpPath(this.dataDir, opts.format);
      return await writeDump(
        tmp,
        { ...opts, out },
        {
          now: Date.now,
          sessionProject: (id) => this.table.get(id)?.project,
          projects: () => this.table.projectNames(),
          unreadable,
        },
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /**
   * Walks the whole stream, checking every record's hash, every writer's chain, that every message can be read and
   * that each writer's batches hold all of its journal ids (none deleted).
   */
  async verify(): Promise<IntegrityInfo> {
    const { first_seq: first } = (await this.jsm.streams.info(this.cfg.stream)).state;
    const stored = this.presence.storedIn(this.cfg.stream); // announced before the walk: all of it must be found
    const dedup = new Dedup(first <= 1);
    await scanStream(
      this.jsm,
      this.js,
      this.cfg.stream,
      {},
      (m) => void dedup.accept(m),
      (seq, why) => dedup.chains.unreadable(seq, why),
    );
    dedup.chains.checkComplete(stored);
    this.verified = dedup.chains.info(Date.now() / 1000);
    return this.verified;
  }

  /**
   * A message of ours that a query or a dump could not read (older than the live replay, so the follower never met
   * it): the trail has a hole, and the console's integrity says so as it does for one met live.
   */
  private readonly onUnreadable = (seq: number, why: string): void => this.live.chains.unreadable(seq, why);

  private integrity(): IntegrityInfo {
    if (this.verified !== null && !this.verified.ok) return this.verified;
    return this.live.chains.info(this.verified?.checked_at ?? Date.now() / 1000);
  }

  health(): HealthInfo {
    const integrity = this.integrity();
    const error = this.natsUp ? null : `NATS unreachable (${this.cfg.servers.join(', ')}); reconnecting`;
    return {
      status: error === null && integrity.ok ? 'ok' : 'degraded',
      version: this.version,
      events: this.events,
      sessions: this.table.all().length,
      connected: this.sessions().filter((s) => s.connected).length,
      integrity,
      journal: { writable: error === null, error, pending: this.caughtUp ? 0 : 1, torn_files: [] },
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  /** Stops following and disconnects. */
  async close(): Promise<void> {
    this.presence.stop();
    await this.follower?.stop();
    await this.nc.close();
  }
}

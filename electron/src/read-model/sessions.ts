import { createHash } from 'node:crypto';
import {
  CollectorEvents,
  ProjectEvents,
  type ProjectInfo,
  type ScannedRecord,
  type SessionInfo,
} from '@ic-audit/shared';

const OFFSET_SAMPLES = 31;

/** Collector-side state of one session: what {@link SessionInfo} shows plus hot-path caches. */
export interface SessionState extends SessionInfo {
  /** JSON-encoded session id and project name, built once (journal lines reuse them). */
  sessionJson: string;
  projectJson: string;
  /** Recent (collector time - bot timestamp) samples, seconds. */
  offsets: number[];
  offsetAt: number;
}

/** A session as a checkpoint stores it. */
export type SessionSnapshot = Omit<SessionState, 'sessionJson' | 'projectJson' | 'connected'>;

/** A synthetic session id for clients without one (POST /ingest, legacy TCP, import): stable per key. */
export function syntheticSessionId(prefix: 'http' | 'legacy' | 'import', key: string): string {
  return `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** True when two project declarations differ in anything a dump shows. */
export function projectChanged(a: ProjectInfo, b: ProjectInfo): boolean {
  return (
    a.project_name !== b.project_name ||
    a.project_market !== b.project_market ||
    a.project_description !== b.project_description ||
    a.project_privileges.length !== b.project_privileges.length ||
    a.project_privileges.some((p, i) => p !== b.project_privileges[i])
  );
}

/** Every session the collector knows, rebuilt from the journal on start and kept current by ingest. */
export class SessionTable {
  private readonly byId = new Map<string, SessionState>();
  private readonly projects = new Map<string, ProjectInfo>();

  /** The state of a session, if known. */
  get(session: string): SessionState | undefined {
    return this.byId.get(session);
  }

  /**
   * Every project with at least one bot event, in first-seen order: what the Python server knew (its dump lists
   * them in that order; a project known only from a refused message is not one).
   */
  projectNames(): string[] {
    const withEvents = new Set<string>();
    for (const s of this.byId.values()) if (s.events > 0) withEvents.add(s.project.project_name);
    return [...this.projects.keys()].filter((name) => withEvents.has(name));
  }

  /** Latest declared metadata of a project. */
  project(name: string): ProjectInfo | undefined {
    return this.projects.get(name);
  }

  /** Every session. */
  all(): SessionState[] {
    return [...this.byId.values()];
  }

  /** Number of sessions with a live connection. */
  connectedCount(): number {
    let n = 0;
    for (const s of this.byId.values()) if (s.connected) n++;
    return n;
  }

  /** Creates or updates a session from a hello (or a synthetic one); returns it and whether its metadata changed. */
  declare(
    session: string,
    project: ProjectInfo,
    meta: { source: SessionInfo['source']; sdk: string; host: string; pid: number; dropped: number },
    now: number,
  ): { state: SessionState; changed: boolean } {
    this.projects.set(project.project_name, project);
    let state = this.byId.get(session);
    if (state === undefined) {
      state = {
        session,
        project,
        source: meta.source,
        sdk: meta.sdk,
        host: meta.host,
        pid: meta.pid,
        connected: false,
        last_seen: now,
        started_at: now,
        events: 0,
        errors: 0,
        last_seq: 0,
        acked: 0,
        gaps: 0,
        missing: 0,
        dropped: meta.dropped,
        refused: 0,
        clock_offset: 0,
        sessionJson: JSON.stringify(session),
        projectJson: JSON.stringify(project.project_name),
        offsets: [],
        offsetAt: 0,
      };
      this.byId.set(session, state);
      return { state, changed: true };
    }
    const changed =
      projectChanged(state.project, project) ||
      state.dropped !== meta.dropped ||
      state.sdk !== meta.sdk ||
      state.host !== meta.host ||
      state.pid !== meta.pid;
    state.project = project;
    state.projectJson = JSON.stringify(project.project_name);
    state.sdk = meta.sdk;
    state.host = meta.host;
    state.pid = meta.pid;
    state.dropped = meta.dropped;
    state.last_seen = now;
    return { state, changed };
  }

  /** Notes one event accepted for a session (counts, clock offset sample). */
  noteEvent(state: SessionState, eventType: string, timestamp: number, now: number): void {
    state.events++;
    if (eventType === ProjectEvents.ERROR) state.errors++;
    state.last_seen = now;
    const offsets = state.offsets;
    if (offsets.length < OFFSET_SAMPLES) offsets.push(now - timestamp);
    else offsets[state.offsetAt] = now - timestamp;
    state.offsetAt = (state.offsetAt + 1) % OFFSET_SAMPLES;
  }

  /** Rebuilds state from one replayed journal record. */
  replay(record: ScannedRecord): void {
    if (record.source === 'collector' && record.event_type === CollectorEvents.SESSION) {
      const f = record.fields ?? {};
      const { state } = this.declare(
        record.session,
        {
          project_name: record.project_name,
          project_market: String(f['project_market'] ?? ''),
          project_description: String(f['project_description'] ?? ''),
          project_privileges: Array.isArray(f['project_privileges'])
            ? (f['project_privileges'] as ProjectInfo['project_privileges'])
            : [],
        },
        {
          source: (f['source'] as SessionInfo['source']) ?? 'ws',
          sdk: String(f['sdk'] ?? ''),
          host: String(f['host'] ?? ''),
          pid: Number(f['pid'] ?? 0),
          dropped: Number(f['dropped'] ?? 0),
        },
        record.received_at,
      );
      state.last_seen = record.received_at;
      return;
    }
    const state = this.byId.get(record.session);
    if (state === undefined) return;
    if (record.source === 'collector') {
      if (record.event_type === CollectorEvents.GAP) {
        state.gaps++;
        state.missing += Number(record.fields?.['missing'] ?? 0);
      } else if (record.event_type === CollectorEvents.REFUSED) state.refused++;
      return;
    }
    this.noteEvent(state, record.event_type, record.timestamp, record.received_at);
    if (record.seq > state.last_seq) state.last_seq = record.seq;
    if (record.seq > state.acked) state.acked = record.seq;
  }

  /** Every session as plain data for a checkpoint (caches and live connection state left out). */
  snapshot(): SessionSnapshot[] {
    const out: SessionSnapshot[] = [];
    for (const s of this.byId.values()) {
      const { sessionJson: _s, projectJson: _p, connected: _c, ...rest } = s;
      out.push({ ...rest, offsets: [...s.offsets] });
    }
    return out;
  }

  /** Restores sessions from a checkpoint (all disconnected until their bots say hello again). */
  restore(snapshot: readonly SessionSnapshot[]): void {
    for (const s of snapshot) {
      this.byId.set(s.session, {
        ...s,
        refused: s.refused ?? 0,
        connected: false,
        offsets: [...s.offsets],
        sessionJson: JSON.stringify(s.session),
        projectJson: JSON.stringify(s.project.project_name),
      });
      this.projects.set(s.project.project_name, s.project);
    }
  }

  /** Public view of a session (no caches), with the clock offset median computed now. */
  view(state: SessionState): SessionInfo {
    const sorted = [...state.offsets].sort((a, b) => a - b);
    const median = sorted.length === 0 ? 0 : sorted[sorted.length >> 1]!;
    return {
      session: state.session,
      project: state.project,
      source: state.source,
      sdk: state.sdk,
      host: state.host,
      pid: state.pid,
      connected: state.connected,
      last_seen: state.last_seen,
      started_at: state.started_at,
      events: state.events,
      errors: state.errors,
      last_seq: state.last_seq,
      acked: state.acked,
      gaps: state.gaps,
      missing: state.missing,
      dropped: state.dropped,
      refused: state.refused,
      clock_offset: Math.round(median * 1e6) / 1e6,
    };
  }
}

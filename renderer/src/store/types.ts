import type { HealthInfo, IntegrityInfo, QueryFilter, SessionInfo } from '@ic-audit/shared';
import type { RateBuckets } from '../lib/rate-buckets.js';
import type { Row } from '../lib/row.js';
import type { RowRing } from '../lib/row-ring.js';
import type { RowView } from '../lib/row-view.js';
import type { EventTally } from '../lib/event-tally.js';
import type { PrefsSlice } from './prefs-types.js';

/** Sessions slice: what the collector says about every bot session. */
export interface SessionsSlice {
  sessions: Map<string, SessionInfo>;
  sessionsVersion: number;
  /** Replaces all sessions (snapshot). */
  setSessions(list: readonly SessionInfo[]): void;
  /** Merges changed sessions (live push). */
  updateSessions(list: readonly SessionInfo[]): void;
}

/** Live per-project figures kept while rows stream in. */
export interface ProjectLive {
  /** Newest event rows of the project, oldest first (overview tail; the collector's own records are not in it). */
  tail: Row[];
  /** The project's newest error event: its card keeps it pinned until a newer one. */
  lastError: Row | null;
  /** The collector's own records for the project (session declared, gaps), folded into one line of the card. */
  systemCount: number;
  lastSystem: Row | null;
  rate: RateBuckets;
  lastEventAt: number;
  lastErrorAt: number;
}

/**
 * Events slice. The ring, view and per-project figures are mutable objects updated in place (a million rows
 * cannot be copied per frame); `rowsVersion` changes once per flush so subscribers know to look again.
 */
export interface EventsSlice {
  ring: RowRing;
  view: RowView;
  live: Map<string, ProjectLive>;
  rowsVersion: number;
  /** Appends a batch of rows (one call per animation frame). */
  appendRows(rows: readonly Row[]): void;
  /** Replaces all rows (snapshot after connect or resync). */
  resetRows(rows: readonly Row[]): void;
  /** Adds a page of older rows fetched for the current filter (newest first). */
  addOlder(rows: readonly Row[], more: boolean): void;
  /** Event types seen (filter menu). */
  types: Set<string>;
}

/** Filters slice. */
export interface FiltersSlice {
  filter: QueryFilter;
  setFilter: (patch: Partial<QueryFilter>) => void;
}

/** Which main view is shown. */
export type Tab = 'overview' | 'stream';

/** A dump's outcome as the header reports it. */
export interface DumpStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  message: string;
  /** The written (or saved) file, for the toast's "copy path" and "show in folder". */
  path?: string;
  /** Why the written dump is not the whole trail (DumpResult `warning`). */
  warning?: string;
}

/** UI slice: navigation, selection, follow mode, dump status, notification preference. */
export interface UiSlice {
  tab: Tab;
  selectedId: number | null;
  /** Stream follows the newest row. */
  follow: boolean;
  dump: DumpStatus;
  notificationsMuted: boolean;
  setTab(tab: Tab): void;
  select(id: number | null): void;
  setFollow(follow: boolean): void;
  setDump(status: DumpStatus): void;
  setNotificationsMuted(muted: boolean): void;
}

/** Link state of the console channel. */
export type LinkState = 'connecting' | 'live' | 'reconnecting';

/** Health slice: collector health, integrity, link, collector clock. */
export interface HealthSlice {
  health: HealthInfo | null;
  integrity: IntegrityInfo | null;
  verifying: boolean;
  link: LinkState;
  /** Collector clock minus browser clock, seconds. */
  clockSkew: number;
  silentAfter: number;
  version: string;
  setHealth(health: HealthInfo, now: number): void;
  setIntegrity(integrity: IntegrityInfo): void;
  setVerifying(v: boolean): void;
  setLink(link: LinkState): void;
  setServerInfo(silentAfter: number, version: string): void;
}

/** The whole console store. */
/**
 * Connection slice: since when the console has been cut off from the collector and when it tries again. While
 * `lostAt` is set everything the collector last said (integrity, bot status) is stale, and the UI says so.
 */
export interface ConnectionSlice {
  /** Browser clock (ms) when the channel dropped; null while connected (or before the first connection). */
  lostAt: number | null;
  /** Browser clock (ms) of the next reconnect attempt; null while connected or while an attempt is under way. */
  retryAt: number | null;
  /** Notes the channel dropped (keeps the first moment across failed retries). */
  connectionLost(now: number): void;
  setRetryAt(at: number | null): void;
  /** Notes the channel is live again. */
  connectionRestored(): void;
}

/**
 * Counts slice: event and error counts driven by the same flush as the rows (lib/event-tally.ts). The tally is a
 * mutable object counted in place by `appendRows`; the flush's one `set` makes every reader look again.
 */
export interface CountsSlice {
  tally: EventTally;
  /** Starts the counts over from a snapshot (before its rows are loaded). */
  rebaseCounts(sessions: readonly SessionInfo[], totalEvents: number): void;
}

export type AppState = SessionsSlice &
  EventsSlice &
  FiltersSlice &
  UiSlice &
  HealthSlice &
  CountsSlice &
  ConnectionSlice &
  PrefsSlice;

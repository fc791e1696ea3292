import type { HealthInfo, IntegrityInfo, QueryFilter, SessionInfo } from '@ic-audit/shared';
import type { RateBuckets } from '../lib/rate-buckets.js';
import type { Row } from '../lib/row.js';
import type { RowRing } from '../lib/row-ring.js';
import type { RowView } from '../lib/row-view.js';
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
  /** Newest rows of the project, oldest first (overview tail). */
  tail: Row[];
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
  setFilter(patch: Partial<QueryFilter>): void;
}

/** Which main view is shown. */
export type Tab = 'overview' | 'stream';

/** A dump's outcome as the header reports it. */
export interface DumpStatus {
  state: 'idle' | 'running' | 'done' | 'failed';
  message: string;
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
export type AppState = SessionsSlice & EventsSlice & FiltersSlice & UiSlice & HealthSlice & PrefsSlice;

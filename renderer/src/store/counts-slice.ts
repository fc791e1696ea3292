import type { SessionInfo } from '@ic-audit/shared';
import type { StateCreator } from 'zustand';
import { EventTally } from '../lib/event-tally.js';
import type { AppState } from './types.js';

/**
 * Counts slice: event and error counts driven by the same flush as the rows (lib/event-tally.ts). The tally is a
 * mutable object counted in place by `appendRows`; the flush's one `set` makes every reader look again.
 */
export interface CountsSlice {
  tally: EventTally;
  /** Starts the counts over from a snapshot (before its rows are loaded). */
  rebaseCounts(sessions: readonly SessionInfo[], totalEvents: number): void;
}

export const countsSlice: StateCreator<AppState, [], [], CountsSlice> = (_set, get) => ({
  tally: new EventTally(),
  rebaseCounts(sessions, totalEvents) {
    get().tally.rebase(sessions, totalEvents);
  },
});

import type { StateCreator } from 'zustand';
import type { AppState } from './types.js';

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

export const connectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = (set, get) => ({
  lostAt: null,
  retryAt: null,
  connectionLost(now) {
    if (get().lostAt === null) set({ lostAt: now });
  },
  setRetryAt: (retryAt) => set({ retryAt }),
  connectionRestored: () => set({ lostAt: null, retryAt: null }),
});

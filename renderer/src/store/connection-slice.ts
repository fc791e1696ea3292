import type { StateCreator } from 'zustand';
import type { AppState, ConnectionSlice } from './types.js';

export const connectionSlice: StateCreator<AppState, [], [], ConnectionSlice> = (set, get) => ({
  lostAt: null,
  retryAt: null,
  connectionLost(now) {
    if (get().lostAt === null) set({ lostAt: now });
  },
  setRetryAt: (retryAt) => set({ retryAt }),
  connectionRestored: () => set({ lostAt: null, retryAt: null }),
});

import type { StateCreator } from 'zustand';
import { EventTally } from '../lib/event-tally.js';
import type { AppState, CountsSlice } from './types.js';

export const countsSlice: StateCreator<AppState, [], [], CountsSlice> = (_set, get) => ({
  tally: new EventTally(),
  rebaseCounts(sessions, totalEvents) {
    get().tally.rebase(sessions, totalEvents);
  },
});

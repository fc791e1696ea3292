import { sameFilter, EMPTY_FILTER, type SessionInfo } from '@ic-audit/shared';
import { create, type StateCreator } from 'zustand';
import { connectionSlice } from './connection-slice.js';
import { countsSlice } from './counts-slice.js';
import { createEventsSlice } from './events-slice.js';
import { prefsSlice } from './prefs-slice.js';
import type { AppState, FiltersSlice, HealthSlice, SessionsSlice, UiSlice } from './types.js';

const sessionsSlice: StateCreator<AppState, [], [], SessionsSlice> = (set, get) => ({
  sessions: new Map(),
  sessionsVersion: 0,
  setSessions(list) {
    set({
      sessions: new Map(list.map((s): [string, SessionInfo] => [s.session, s])),
      sessionsVersion: get().sessionsVersion + 1,
    });
  },
  updateSessions(list) {
    get().tally.adopt(list);
    const next = new Map(get().sessions);
    for (const s of list) next.set(s.session, s);
    set({ sessions: next, sessionsVersion: get().sessionsVersion + 1 });
  },
});

const filtersSlice: StateCreator<AppState, [], [], FiltersSlice> = (set, get) => ({
  filter: { ...EMPTY_FILTER },
  setFilter(patch) {
    const s = get();
    const filter = { ...s.filter, ...patch };
    if (sameFilter(filter, s.filter)) return;
    s.view.setFilter(filter, Date.now() / 1000 + s.clockSkew);
    set({ filter, rowsVersion: s.rowsVersion + 1, follow: true });
  },
});

const MUTE_KEY = 'ic-audit.notifications-muted';

function storedMute(): boolean {
  try {
    return globalThis.localStorage?.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

const uiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  tab: 'overview',
  selectedId: null,
  follow: true,
  dump: { state: 'idle', message: '' },
  notificationsMuted: storedMute(),
  setTab: (tab) => set({ tab }),
  select: (selectedId) => set({ selectedId }),
  setFollow: (follow) => set({ follow }),
  setDump: (dump) => set({ dump }),
  setNotificationsMuted(muted) {
    try {
      globalThis.localStorage?.setItem(MUTE_KEY, muted ? '1' : '0');
    } catch {
      // Private mode or no storage: the choice lasts for this page only.
    }
    set({ notificationsMuted: muted });
  },
});

const healthSlice: StateCreator<AppState, [], [], HealthSlice> = (set) => ({
  health: null,
  integrity: null,
  verifying: false,
  link: 'connecting',
  clockSkew: 0,
  silentAfter: 60,
  version: '',
  setHealth: (health, now) => set({ health, integrity: health.integrity, clockSkew: now - Date.now() / 1000 }),
  setIntegrity: (integrity) => set({ integrity, verifying: false }),
  setVerifying: (verifying) => set({ verifying }),
  setLink: (link) => set({ link }),
  setServerInfo: (silentAfter, version) => set({ silentAfter, version }),
});

/** Builds a fresh store (tests make their own; the app uses {@link useStore}). */
export function createAppStore(capacity?: number) {
  return create<AppState>()((...a) => ({
    ...sessionsSlice(...a),
    ...createEventsSlice(capacity)(...a),
    ...filtersSlice(...a),
    ...uiSlice(...a),
    ...healthSlice(...a),
    ...countsSlice(...a),
    ...connectionSlice(...a),
    ...prefsSlice(...a),
  }));
}

/** The console's one store. */
export const useStore = createAppStore();

/** Store type, for code that receives a store. */
export type AppStore = ReturnType<typeof createAppStore>;

import type { StateCreator } from 'zustand';
import { setDisplayUtc } from '../lib/format.js';
import type { PrefsSlice, ThemeMode, TimeZoneMode } from './prefs-types.js';

export type { PrefsSlice, ThemeMode, TimeZoneMode };
import type { AppState } from './types.js';

/** Detail panel width bounds, px (the upper one also leaves the table at least TABLE_MIN). */
export const DETAIL_MIN = 280;
export const DETAIL_MAX = 1400;
export const DETAIL_DEFAULT = 440;
/** Room the event table keeps beside the detail panel, px. */
export const TABLE_MIN = 360;

const KEYS = {
  timeZone: 'ic-audit.time-zone',
  theme: 'ic-audit.theme',
  detailWidth: 'ic-audit.detail-width',
} as const;

function load(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function save(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Private mode or no storage: the choice lasts for this page only.
  }
}

/** Clamps a detail width to its bounds and to what the window leaves beside the table. */
export function clampDetailWidth(px: number, windowWidth = globalThis.innerWidth ?? 1920): number {
  const max = Math.max(DETAIL_MIN, Math.min(DETAIL_MAX, windowWidth - TABLE_MIN));
  if (!Number.isFinite(px)) return Math.min(DETAIL_DEFAULT, max);
  return Math.round(Math.max(DETAIL_MIN, Math.min(max, px)));
}

function storedTimeZone(): TimeZoneMode {
  return load(KEYS.timeZone) === 'utc' ? 'utc' : 'local';
}

function storedTheme(): ThemeMode {
  const t = load(KEYS.theme);
  return t === 'light' || t === 'dark' ? t : 'system';
}

function storedDetailWidth(): number {
  const v = load(KEYS.detailWidth);
  return v === null ? DETAIL_DEFAULT : Number(v);
}

const LIGHT_QUERY = '(prefers-color-scheme: light)';

/** The palette a theme resolves to now (`system` asks the browser). */
export function resolvedScheme(theme: ThemeMode): 'light' | 'dark' {
  if (theme !== 'system') return theme;
  return typeof matchMedia === 'function' && matchMedia(LIGHT_QUERY).matches ? 'light' : 'dark';
}

let currentTheme: ThemeMode = 'system';

/** Marks the document with the theme and the palette it resolves to (views.css picks colours by `data-scheme`). */
function applyTheme(theme: ThemeMode): void {
  currentTheme = theme;
  if (typeof document === 'undefined') return;
  document.documentElement.dataset['theme'] = theme;
  document.documentElement.dataset['scheme'] = resolvedScheme(theme);
}

// `system` follows the operating system when it switches between light and dark.
if (typeof matchMedia === 'function')
  matchMedia(LIGHT_QUERY).addEventListener?.('change', () => applyTheme(currentTheme));

export const prefsSlice: StateCreator<AppState, [], [], PrefsSlice> = (set) => {
  const timeZone = storedTimeZone();
  const theme = storedTheme();
  setDisplayUtc(timeZone === 'utc');
  applyTheme(theme);
  return {
    timeZone,
    theme,
    detailWidth: storedDetailWidth(),
    helpOpen: false,
    setTimeZone(tz) {
      save(KEYS.timeZone, tz);
      setDisplayUtc(tz === 'utc');
      set({ timeZone: tz });
    },
    setTheme(t) {
      save(KEYS.theme, t);
      applyTheme(t);
      set({ theme: t });
    },
    setDetailWidth(px) {
      const w = clampDetailWidth(px);
      save(KEYS.detailWidth, String(w));
      set({ detailWidth: w });
    },
    setHelpOpen: (helpOpen) => set({ helpOpen }),
  };
};

/** Types of the prefs slice (its own file: types.ts joins it into AppState without an import circle). */

/** How times are shown. */
export type TimeZoneMode = 'local' | 'utc';
/** Colour theme: `system` follows `prefers-color-scheme`. */
export type ThemeMode = 'system' | 'light' | 'dark';

/** Per-browser display preferences, persisted in localStorage. */
export interface PrefsSlice {
  timeZone: TimeZoneMode;
  theme: ThemeMode;
  detailWidth: number;
  /** The `?` shortcuts overlay is open. */
  helpOpen: boolean;
  setTimeZone(tz: TimeZoneMode): void;
  setTheme(theme: ThemeMode): void;
  setDetailWidth(px: number): void;
  setHelpOpen(open: boolean): void;
}

/**
 * Every keyboard shortcut of the console, in one table: the key handler (components/keyboard.ts) dispatches from
 * it and the `?` overlay lists it, so what the overlay says and what the keys do cannot drift apart.
 */

/** What a shortcut does; keyboard.ts maps each to its handler (a `Record`, so none can be missing). */
export type ShortcutAction =
  | 'help'
  | 'overview'
  | 'stream'
  | 'focus-filter'
  | 'next'
  | 'prev'
  | 'close'
  | 'follow'
  | 'dump'
  | 'verify'
  | 'copy-link'
  | 'time-zone'
  | 'theme';

/** One shortcut. */
export interface Shortcut {
  /** `KeyboardEvent.key` values that trigger it. */
  keys: readonly string[];
  /** How the overlay shows the keys. */
  label: string;
  action: ShortcutAction;
  /** What it does, for the overlay. */
  help: string;
}

/** The table, in overlay order. */
export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['?'], label: '?', action: 'help', help: 'show or hide this list of shortcuts' },
  { keys: ['1'], label: '1', action: 'overview', help: 'overview (one card per project)' },
  { keys: ['2'], label: '2', action: 'stream', help: 'stream (every event, filtered)' },
  { keys: ['/'], label: '/', action: 'focus-filter', help: 'focus the filter box (text or field=value)' },
  { keys: ['j', 'ArrowDown'], label: 'j  ↓', action: 'next', help: 'select the next (newer) event' },
  { keys: ['k', 'ArrowUp'], label: 'k  ↑', action: 'prev', help: 'select the previous (older) event' },
  { keys: ['Escape'], label: 'Esc', action: 'close', help: 'close this list, or the event detail' },
  { keys: ['End', 'G'], label: 'End  G', action: 'follow', help: 'follow live (jump to the newest event)' },
  { keys: ['d'], label: 'd', action: 'dump', help: 'dump the last 30 hours (seed JSON format)' },
  { keys: ['v'], label: 'v', action: 'verify', help: 'verify the hash chain on disk' },
  { keys: ['l'], label: 'l', action: 'copy-link', help: 'copy a link to this view (filters, range, selection)' },
  { keys: ['u'], label: 'u', action: 'time-zone', help: 'switch times between local and UTC' },
  { keys: ['t'], label: 't', action: 'theme', help: 'cycle the theme: system, light, dark' },
];

const BY_KEY = new Map<string, Shortcut>();
for (const s of SHORTCUTS) for (const k of s.keys) BY_KEY.set(k, s);

/** The shortcut a key triggers, if any. */
export function shortcutFor(key: string): Shortcut | undefined {
  return BY_KEY.get(key);
}

import { useEffect } from 'react';
import { shortcutFor, type ShortcutAction } from '../lib/shortcuts.js';
import { useStore } from '../store/store.js';
import { NEXT_THEME } from './view-controls.js';

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    el !== null &&
    (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable)
  );
}

function moveSelection(delta: number): void {
  const s = useStore.getState();
  const total = s.view.length;
  if (total === 0) return;
  const at = s.selectedId === null ? -1 : s.view.indexOf(s.selectedId);
  const next = at < 0 ? (delta > 0 ? 0 : total - 1) : Math.max(0, Math.min(total - 1, at + delta));
  const row = s.view.at(next);
  if (row === undefined) return;
  if (s.tab !== 'stream') s.setTab('stream');
  if (next < total - 1) s.setFollow(false);
  s.select(row.id);
}

/** What each action does; returns false when the key should keep its default (not handled here). */
const HANDLERS: Record<ShortcutAction, (e: KeyboardEvent) => boolean> = {
  help: () => (useStore.getState().setHelpOpen(!useStore.getState().helpOpen), true),
  overview: () => (useStore.getState().setTab('overview'), true),
  stream: () => (useStore.getState().setTab('stream'), true),
  'focus-filter': () => {
    useStore.getState().setTab('stream');
    requestAnimationFrame(() => document.getElementById('filter-text')?.focus());
    return true;
  },
  next: () => useStore.getState().tab === 'stream' && (moveSelection(1), true),
  prev: () => useStore.getState().tab === 'stream' && (moveSelection(-1), true),
  close: () => {
    const s = useStore.getState();
    if (s.helpOpen) s.setHelpOpen(false);
    else s.select(null);
    return true;
  },
  follow: () => (useStore.getState().setFollow(true), true),
  dump: () => (document.getElementById('dump-button')?.click(), true),
  verify: () => (document.querySelector<HTMLElement>('button[title^="Walk the whole"]')?.click(), true),
  // Through the button, so it shows "link copied" (or the link to copy by hand).
  'copy-link': () => (document.querySelector<HTMLElement>('[data-testid=copy-link]')?.click(), true),
  'time-zone': () => {
    const s = useStore.getState();
    s.setTimeZone(s.timeZone === 'utc' ? 'local' : 'utc');
    return true;
  },
  theme: () => {
    const s = useStore.getState();
    s.setTheme(NEXT_THEME[s.theme]);
    return true;
  },
};

/** Binds the keys of the shortcut table (lib/shortcuts.ts), the same table the `?` overlay lists. */
export function useKeyboard(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const shortcut = shortcutFor(e.key);
      if (shortcut === undefined) return;
      // While the overlay is open only Esc and ? act: the other keys would change the view behind it.
      if (useStore.getState().helpOpen && shortcut.action !== 'close' && shortcut.action !== 'help') return;
      if (HANDLERS[shortcut.action](e)) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

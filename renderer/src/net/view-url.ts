import { appViewLink, decodeViewState, encodeViewState, sameFilter, type ViewState } from '@ic-audit/shared';
import { desktop } from './desktop-bridge.js';
import type { AppStore } from '../store/store.js';
import type { AppState } from '../store/types.js';

/** The view the store shows now. */
export function viewOf(s: AppState): ViewState {
  return { tab: s.tab, filter: s.filter, selected: s.selectedId };
}

/** Puts a decoded view into the store (filters, range, tab, selection). */
export function applyView(store: AppStore, v: ViewState): void {
  const s = store.getState();
  if (!sameFilter(s.filter, v.filter)) s.setFilter({ ...v.filter });
  if (s.tab !== v.tab) s.setTab(v.tab);
  if (s.selectedId !== v.selected) {
    // A linked record is looked at, not followed past: the table stays where it is shown.
    if (v.selected !== null) s.setFollow(false);
    s.select(v.selected);
  }
}

/**
 * A link to the view: this page's origin and path with the view as the fragment; in the desktop app its
 * `ic-audit://` form (the page's origin there is the app's own loopback collector). The query string is left out,
 * so the console token (kept in memory only, see token.ts) can never travel in a copied link.
 */
export function viewLink(
  s: AppState,
  where: { origin: string; pathname: string } = location,
  app = desktop() !== undefined,
): string {
  const hash = encodeViewState(viewOf(s));
  if (app) return appViewLink(hash);
  return `${where.origin}${where.pathname}${hash === '' ? '' : `#${hash}`}`;
}

/** Copies the view's link; returns it (the caller shows it for a manual copy when the clipboard is refused). */
export async function copyViewLink(s: AppState): Promise<{ link: string; copied: boolean }> {
  const link = viewLink(s);
  try {
    await navigator.clipboard.writeText(link);
    return { link, copied: true };
  } catch {
    return { link, copied: false };
  }
}

const WRITE_INTERVAL_MS = 150;

/**
 * Keeps the address bar's fragment in step with the view (replaceState, so no history entry per keystroke) and applies the fragment on load and on every `hashchange` (a pasted link, or the desktop app
 * opening an `ic-audit://` link). Returns a stop function.
 */
export function startUrlSync(store: AppStore): () => void {
  let written = location.hash.replace(/^#/, '');
  if (written !== '') applyView(store, decodeViewState(written));
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastWrite = 0;
  const write = (): void => {
    timer = null;
    lastWrite = performance.now();
    const hash = encodeViewState(viewOf(store.getState()));
    if (hash === written) return;
    written = hash;
    history.replaceState(history.state, '', `${location.pathname}${location.search}${hash === '' ? '' : `#${hash}`}`);
  };
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.filter === prev.filter && s.tab === prev.tab && s.selectedId === prev.selectedId) return;
    if (timer !== null) return;
    // At once (a reload right after still finds the view), then at most every 150 ms: browsers throttle
    // replaceState, and holding `j` changes the selection 30 times a second.
    const wait = lastWrite + WRITE_INTERVAL_MS - performance.now();
    if (wait <= 0) write();
    else timer = setTimeout(write, wait);
  });
  const onHash = (): void => {
    const hash = location.hash.replace(/^#/, '');
    if (hash === written) return;
    written = hash;
    applyView(store, decodeViewState(hash));
  };
  window.addEventListener('hashchange', onHash);
  return () => {
    unsubscribe();
    window.removeEventListener('hashchange', onHash);
    if (timer !== null) clearTimeout(timer);
  };
}

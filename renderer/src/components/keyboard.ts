import { useEffect } from 'react';
import { useStore } from '../store/store.js';

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

/**
 * Keys: 1 overview, 2 stream, / filter, j/k or arrows move the selection, Esc closes the detail,
 * End or G follows live, d dumps 30 h, v verifies.
 */
export function useKeyboard(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const s = useStore.getState();
      switch (e.key) {
        case '1':
          s.setTab('overview');
          break;
        case '2':
          s.setTab('stream');
          break;
        case '/':
          e.preventDefault();
          s.setTab('stream');
          requestAnimationFrame(() => document.getElementById('filter-text')?.focus());
          break;
        case 'j':
        case 'ArrowDown':
          if (s.tab === 'stream') {
            e.preventDefault();
            moveSelection(1);
          }
          break;
        case 'k':
        case 'ArrowUp':
          if (s.tab === 'stream') {
            e.preventDefault();
            moveSelection(-1);
          }
          break;
        case 'Escape':
          s.select(null);
          break;
        case 'End':
        case 'G':
          s.setFollow(true);
          break;
        case 'd':
          document.getElementById('dump-button')?.click();
          break;
        case 'v':
          (document.querySelector('button[title^="Walk the whole"]') as HTMLButtonElement | null)?.click();
          break;
        default:
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

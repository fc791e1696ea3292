import { useState } from 'react';
import { copyViewLink } from '../net/view-url.js';
import { useStore } from '../store/store.js';
import type { ThemeMode } from '../store/prefs-slice.js';

const THEMES: Array<[ThemeMode, string]> = [
  ['system', 'theme: system'],
  ['light', 'theme: light'],
  ['dark', 'theme: dark'],
];

/** Header controls for the view: copy a link to it, UTC / local times, theme, and the shortcuts list. */
export function ViewControls() {
  const timeZone = useStore((s) => s.timeZone);
  const theme = useStore((s) => s.theme);
  const [copied, setCopied] = useState<'' | 'copied' | 'manual'>('');
  const [link, setLink] = useState('');

  const copy = async (): Promise<void> => {
    const r = await copyViewLink(useStore.getState());
    setLink(r.link);
    setCopied(r.copied ? 'copied' : 'manual');
    setTimeout(() => setCopied(''), 2000);
  };
  return (
    <span className="view-controls">
      <button
        type="button"
        data-testid="copy-link"
        data-link={link}
        onClick={() => void copy()}
        title="Copy a link to this view: filters, time range, selected record (l). The token is never in it."
      >
        {copied === 'copied' ? 'link copied' : 'copy link'}
      </button>
      {copied === 'manual' && (
        <input
          className="manual-link"
          readOnly
          value={link}
          aria-label="Link to this view"
          ref={(el) => el?.select()}
        />
      )}
      <button
        type="button"
        data-testid="time-zone"
        aria-pressed={timeZone === 'utc'}
        onClick={() => useStore.getState().setTimeZone(timeZone === 'utc' ? 'local' : 'utc')}
        title="Show times in UTC or in this computer's time zone (u)"
      >
        {timeZone === 'utc' ? 'UTC' : 'local time'}
      </button>
      <select
        aria-label="Theme"
        data-testid="theme"
        value={theme}
        onChange={(e) => useStore.getState().setTheme(e.target.value as ThemeMode)}
        title="Colour theme; system follows the operating system's light / dark setting (t)"
      >
        {THEMES.map(([v, label]) => (
          <option key={v} value={v}>
            {label}
          </option>
        ))}
      </select>
      <button
        type="button"
        aria-label="Keyboard shortcuts"
        onClick={() => useStore.getState().setHelpOpen(true)}
        title="Keyboard shortcuts (?)"
      >
        ?
      </button>
    </span>
  );
}

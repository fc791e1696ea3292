import { useState } from 'react';
import { copyViewLink } from '../net/view-url.js';
import { useStore } from '../store/store.js';
import type { ThemeMode } from '../store/prefs-slice.js';

const THEME_ICON: Record<ThemeMode, string> = { system: '◐', light: '☀', dark: '☾' };
/** The theme button cycles through the three (so does `t`). */
export const NEXT_THEME: Record<ThemeMode, ThemeMode> = { system: 'light', light: 'dark', dark: 'system' };

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
        {copied === 'copied' ? (
          'link copied'
        ) : (
          <>
            <span className="vc-wide">copy </span>link
          </>
        )}
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
        {timeZone === 'utc' ? (
          'UTC'
        ) : (
          <>
            local<span className="vc-wide"> time</span>
          </>
        )}
      </button>
      <button
        type="button"
        data-testid="theme"
        data-theme={theme}
        aria-label={`Theme: ${theme}`}
        onClick={() => useStore.getState().setTheme(NEXT_THEME[theme])}
        title={`Theme: ${theme}. Click for ${NEXT_THEME[theme]}; system follows the operating system's light / dark setting (t)`}
      >
        {THEME_ICON[theme]}
        <span className="vc-wide"> {theme}</span>
      </button>
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

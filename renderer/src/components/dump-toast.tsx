import { useState } from 'react';
import { desktop } from '../net/desktop-bridge.js';
import { useStore } from '../store/store.js';

/**
 * Where a dump went (or why it failed), as a toast over the page: fixed position, so it never moves the layout.
 * Copy path; in the desktop app, show in folder; dismiss with × (a running dump cannot be dismissed).
 */
export function DumpToast() {
  const dump = useStore((s) => s.dump);
  const [note, setNote] = useState('');
  if (dump.state === 'idle' || dump.message === '') return null;
  const path = dump.path;
  const bridge = desktop();
  const dismiss = (): void => {
    setNote('');
    useStore.getState().setDump({ state: 'idle', message: '' });
  };
  const copy = (): void => {
    if (path === undefined) return;
    void (navigator.clipboard?.writeText(path) ?? Promise.reject(new Error('no clipboard'))).then(
      () => setNote('path copied'),
      () => setNote('copy refused by the browser: select the path'),
    );
  };
  const show = (): void => {
    if (path === undefined || bridge?.showDump === undefined) return;
    void bridge.showDump(path).then(
      (ok) => setNote(ok ? '' : "only dumps in the collector's dumps folder can be shown"),
      () => setNote('could not open the folder'),
    );
  };
  return (
    <div
      className={`dump-toast ${dump.state}`}
      role={dump.state === 'failed' || dump.warning !== undefined ? 'alert' : 'status'}
      data-testid="dump-status"
    >
      <div className="dump-toast-text">
        {dump.warning !== undefined && (
          <span className="dump-warning" data-testid="dump-warning">
            Incomplete: {dump.warning}
          </span>
        )}
        <span data-testid="dump-message">{dump.message}</span>
        {path !== undefined && (
          <code className="dump-path" data-testid="dump-path">
            {path}
          </code>
        )}
        {note !== '' && <span className="muted">{note}</span>}
      </div>
      <div className="dump-toast-actions">
        {path !== undefined && (
          <button type="button" onClick={copy} data-testid="copy-path">
            copy path
          </button>
        )}
        {path !== undefined && bridge?.showDump !== undefined && (
          <button type="button" onClick={show} data-testid="show-in-folder">
            show in folder
          </button>
        )}
        {dump.state !== 'running' && (
          <button type="button" className="close" aria-label="Dismiss" onClick={dismiss} data-testid="dismiss-dump">
            ×
          </button>
        )}
      </div>
    </div>
  );
}

import { formatCount } from '../lib/format.js';
import { useStore } from '../store/store.js';
import { useClient } from './client-context.js';
import { DumpMenu } from './dump-menu.js';
import { ViewControls } from './view-controls.js';

/** Top bar: link state, views, integrity with verify, notifications toggle, Dump (always visible). */
export function Header() {
  const client = useClient();
  const link = useStore((s) => s.link);
  const tab = useStore((s) => s.tab);
  const integrity = useStore((s) => s.integrity);
  const verifying = useStore((s) => s.verifying);
  const health = useStore((s) => s.health);
  const muted = useStore((s) => s.notificationsMuted);
  const version = useStore((s) => s.version);
  // Counted with the rows in the same flush (store/counts-slice.ts), so never ahead of or behind the table.
  const events = useStore((s) => s.tally.total);
  // From the session table (pushed within 50 ms of a hello or a close), not the 2-second health tick.
  const connected = useStore((s) => {
    let n = 0;
    for (const x of s.sessions.values()) if (x.connected) n++;
    return n;
  });
  // Cut off from the collector: what it last said about integrity may no longer hold.
  const offline = link !== 'live';
  const offlineWhy = 'No connection to the collector';

  const verify = async (): Promise<void> => {
    const s = useStore.getState();
    s.setVerifying(true);
    try {
      s.setIntegrity(await client.verify());
    } catch (err) {
      s.setVerifying(false);
      s.setDump({ state: 'failed', message: `Verify failed: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  const toggleNotifications = (): void => {
    const s = useStore.getState();
    if (s.notificationsMuted && typeof Notification !== 'undefined' && Notification.permission === 'default') {
      void Notification.requestPermission();
    }
    s.setNotificationsMuted(!s.notificationsMuted);
  };
  const tabButton = (t: 'overview' | 'stream', label: string, key: string) => (
    <button
      type="button"
      className={`tab ${tab === t ? 'on' : ''}`}
      onClick={() => useStore.getState().setTab(t)}
      title={`${label} (${key})`}
    >
      {label}
    </button>
  );
  return (
    <header className="topbar">
      <span className="brand">ic-audit</span>
      <span className={`link ${link}`} data-testid="link">
        {link}
      </span>
      <nav className="tabs">
        {tabButton('overview', 'Overview', '1')}
        {tabButton('stream', 'Stream', '2')}
      </nav>
      <span className="muted">
        {health ? `${formatCount(events)} events · ${offline ? '?' : connected} connected` : ''}
      </span>
      <span className="grow" />
      {health?.transport?.warning ? (
        <span className="integrity bad" data-testid="plaintext-warning" title={health.transport.warning}>
          plaintext: not encrypted
        </span>
      ) : null}
      <span
        className={`integrity ${integrity === null || offline ? 'unknown' : integrity.ok ? 'ok' : 'bad'}`}
        data-testid="integrity"
        title={offline ? `${offlineWhy}: integrity cannot be checked` : (integrity?.message ?? '')}
      >
        {integrity === null || offline
          ? 'integrity: unknown'
          : integrity.ok
            ? `chain intact · ${formatCount(integrity.records)}`
            : integrity.message}
      </span>
      <button
        type="button"
        onClick={() => void verify()}
        disabled={verifying || offline}
        title={offline ? `${offlineWhy}: Verify is unavailable` : 'Walk the whole hash chain on disk (v)'}
      >
        {verifying ? 'verifying…' : 'Verify'}
      </button>
      <button
        type="button"
        onClick={toggleNotifications}
        aria-pressed={!muted}
        title="Desktop notifications on error events"
      >
        {muted ? 'alerts off' : 'alerts on'}
      </button>
      <ViewControls />
      <DumpMenu />
      <span className="muted version">{version}</span>
    </header>
  );
}

import { useEffect, useState } from 'react';
import { formatAge } from '../lib/format.js';
import { useStore } from '../store/store.js';
import { useClient } from './client-context.js';

/** Local wall-clock time `HH:MM:SS`. */
function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/**
 * Shown while the console has lost its channel to the collector: since when, that what is on screen is stale, and
 * a live countdown to the next attempt with a button to try now. Gone once the channel is back.
 */
export function ConnectionBanner() {
  const client = useClient();
  const lostAt = useStore((s) => s.lostAt);
  const retryAt = useStore((s) => s.retryAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (lostAt === null) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [lostAt]);
  if (lostAt === null) return null;
  const wait = retryAt === null ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000));
  return (
    <div className="connection-banner" role="alert" data-testid="connection-banner">
      <strong>No connection to the collector</strong>
      <span>
        since {clock(lostAt)} ({formatAge((now - lostAt) / 1000)} ago). Integrity, bot status and Dump are unavailable;
        events journaled meanwhile appear once it is back.
      </span>
      <span className="grow" />
      <span className="muted" data-testid="retry-in">
        {retryAt === null || wait === 0 ? 'connecting…' : `retrying in ${wait} s`}
      </span>
      <button type="button" onClick={() => client.retryNow()} disabled={retryAt === null}>
        Retry now
      </button>
    </div>
  );
}

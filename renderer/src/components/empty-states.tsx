import { useState } from 'react';
import { curlSnippet, filterActive, ingestUrls, noMatchMessage, sdkSnippet, widerRange } from '../lib/empty-state.js';
import { fetchOlder } from '../net/load-older.js';
import { useStore } from '../store/store.js';
import { useClient } from './client-context.js';

const RANGE_BUTTON = { '15m': '15 min', '1h': '1 h', '30h': '30 h', all: 'all time', custom: 'custom' } as const;

function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() =>
        void navigator.clipboard?.writeText(text).then(
          () => setDone(true),
          () => setDone(false),
        )
      }
    >
      {done ? 'copied' : label}
    </button>
  );
}

/** No event yet: how to point a bot at this very collector (its real ingest URL, ws or wss as the page is served). */
export function IngestSnippet() {
  const urls = ingestUrls(location);
  const sdk = sdkSnippet(urls.ws);
  return (
    <div className="empty-state" data-testid="empty-stream">
      <h2>No events yet</h2>
      <p>
        Point a bot at this collector: its ingest URL is <code data-testid="ingest-url">{urls.ws}</code>. With the
        TypeScript SDK:
      </p>
      <pre className="snippet" data-testid="sdk-snippet">
        {sdk}
      </pre>
      <CopyButton text={sdk} label="copy snippet" />
      <p>Python and shell bots can POST a JSON line:</p>
      <pre className="snippet">{curlSnippet(urls.http)}</pre>
      <p className="muted">Events appear here the moment the collector has them on disk.</p>
    </div>
  );
}

/**
 * Over the stream's table when it shows no row: the ingest snippet when nothing arrived at all, otherwise what the
 * filter asked for and what to do about it (widen the range, search the journal further back, clear the filter).
 */
export function StreamEmpty() {
  const client = useClient();
  const view = useStore((s) => s.view);
  const filter = useStore((s) => s.filter);
  const ringSize = useStore((s) => s.ring.size);
  const link = useStore((s) => s.link);
  useStore((s) => s.rowsVersion);
  const [searching, setSearching] = useState(false);
  if (view.length > 0 || link === 'connecting') return null;
  // Offline, an empty console may just not have heard from the collector yet: the banner says so instead.
  if (!filterActive(filter)) return ringSize === 0 && link === 'live' ? <IngestSnippet /> : null;
  const { conditions, where } = noMatchMessage(filter);
  const wider = widerRange(filter.range);
  const set = useStore.getState().setFilter;
  const searchOlder = async (): Promise<void> => {
    setSearching(true);
    try {
      await fetchOlder(client, useStore);
    } catch {
      // Offline: the banner says so; the button stays for another try.
    } finally {
      setSearching(false);
    }
  };
  return (
    <div className="empty-state no-match" data-testid="no-match">
      <p data-testid="no-match-text">
        {conditions === '' ? 'No event' : 'No event matches '}
        {conditions !== '' && <code>{conditions}</code>} in {where}
        {wider !== null ? ' — widen the range.' : '.'}
      </p>
      <div className="actions">
        {wider !== null && (
          <button type="button" className="primary" data-testid="widen" onClick={() => set({ range: wider })}>
            Widen to {RANGE_BUTTON[wider]}
          </button>
        )}
        {wider === null && view.olderMore && (
          <button type="button" disabled={searching} onClick={() => void searchOlder()}>
            {searching ? 'searching…' : 'Search older records in the journal'}
          </button>
        )}
        <button type="button" onClick={() => set({ project: '', type: '', text: '', range: 'all' })}>
          Clear the filter
        </button>
      </div>
    </div>
  );
}

import { TIME_RANGES, type TimeRange } from '@ic-audit/shared';
import { useEffect, useRef, useState } from 'react';
import { formatCount, isDisplayUtc } from '../lib/format.js';
import { fetchOlder } from '../net/load-older.js';
import { useStore } from '../store/store.js';
import { useClient } from './client-context.js';
import { useProjects } from './use-projects.js';

const RANGE_LABELS: Record<TimeRange, string> = {
  '15m': '15 min',
  '1h': '1 h',
  '30h': '30 h',
  all: 'all',
  custom: 'custom',
};

/** A datetime-local value in the display zone (local or UTC, as the header switch says). */
function toLocalInput(epoch: number | null): string {
  if (epoch === null) return '';
  const offset = isDisplayUtc() ? 0 : new Date(epoch * 1000).getTimezoneOffset() * 60_000;
  return new Date(epoch * 1000 - offset).toISOString().slice(0, 19);
}

function fromLocalInput(v: string): number | null {
  if (v === '') return null;
  const t = isDisplayUtc() ? Date.parse(`${v}Z`) : new Date(v).getTime();
  return Number.isFinite(t) ? t / 1000 : null;
}

/** Project, type, free text / `field=value`, time range; plus the row count and a "load older" action. */
export function FilterBar() {
  const filter = useStore((s) => s.filter);
  const types = useStore((s) => s.types);
  const view = useStore((s) => s.view);
  useStore((s) => s.rowsVersion);
  useStore((s) => s.timeZone);
  const projects = useProjects();
  const client = useClient();
  const [text, setText] = useState(filter.text);
  const [loading, setLoading] = useState(false);
  const [note, setNote] = useState('');
  const input = useRef<HTMLInputElement>(null);

  // Typing is debounced so a million rows are not rescanned per keystroke.
  useEffect(() => {
    const t = setTimeout(() => useStore.getState().setFilter({ text }), 180);
    return () => clearTimeout(t);
  }, [text]);
  // The filter changed from elsewhere (a click-to-filter, a link, Clear): the box follows, during render rather than
  // in an effect, so no frame shows the old text.
  const [shownFilterText, setShownFilterText] = useState(filter.text);
  if (filter.text !== shownFilterText) {
    setShownFilterText(filter.text);
    setText(filter.text);
  }

  const loadOlder = async (): Promise<void> => {
    setLoading(true);
    try {
      setNote((await fetchOlder(client, useStore)) === 0 ? 'nothing older' : '');
    } catch (err) {
      setNote(err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(false);
    }
  };

  const set = useStore.getState().setFilter;
  return (
    <div className="filter-bar">
      <select aria-label="Project" value={filter.project} onChange={(e) => set({ project: e.target.value })}>
        <option value="">all projects</option>
        {projects.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      <select aria-label="Type" value={filter.type} onChange={(e) => set({ type: e.target.value })}>
        <option value="">all types</option>
        {[...types].sort().map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <input
        ref={input}
        id="filter-text"
        type="search"
        aria-label="Filter text"
        placeholder="text or field=value (symbol=EURUSD)   press /"
        value={text}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') set({ text });
          if (e.key === 'Escape') input.current?.blur();
        }}
      />
      <div className="ranges" role="group" aria-label="Time range">
        {TIME_RANGES.map((r) => (
          <button key={r} type="button" className={filter.range === r ? 'on' : ''} onClick={() => set({ range: r })}>
            {RANGE_LABELS[r]}
          </button>
        ))}
      </div>
      {filter.range === 'custom' && (
        <span className="custom-range">
          <input
            type="datetime-local"
            step="1"
            aria-label="From"
            value={toLocalInput(filter.from)}
            onChange={(e) => set({ from: fromLocalInput(e.target.value) })}
          />
          <input
            type="datetime-local"
            step="1"
            aria-label="To"
            value={toLocalInput(filter.to)}
            onChange={(e) => set({ to: fromLocalInput(e.target.value) })}
          />
        </span>
      )}
      <span className="grow" />
      <span className="row-count" data-testid="row-count">
        {formatCount(view.length)} rows
      </span>
      <button
        type="button"
        disabled={loading || !view.olderMore}
        onClick={() => void loadOlder()}
        title="Fetch older matching records from the collector's journal"
      >
        {loading ? 'loading…' : 'older ↑'}
      </button>
      {note !== '' && <span className="muted">{note}</span>}
    </div>
  );
}

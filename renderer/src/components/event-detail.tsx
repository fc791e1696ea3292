import { recordDisplayJson, type JournalRecord } from '@ic-audit/shared';
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { addTerm, fieldEntries } from '../lib/field-term.js';
import { formatDateTime } from '../lib/format.js';
import { clampDetailWidth } from '../store/prefs-slice.js';
import { useStore } from '../store/store.js';
import { useClient } from './client-context.js';

/** Adds `field=value` to the filter bar's query. */
function filterOn(term: string): void {
  const s = useStore.getState();
  s.setFilter({ text: addTerm(s.filter.text, term) });
}

/** A project or type shown as a button that filters on it. */
function FilterValue({ patch, title }: { patch: { project: string } | { type: string }; title: string }) {
  return (
    <button type="button" className="value" title={title} onClick={() => useStore.getState().setFilter(patch)}>
      {'project' in patch ? patch.project : patch.type}
    </button>
  );
}

/** The drag handle on the panel's left edge: the width follows the pointer, and is saved when released. */
function ResizeHandle() {
  const drag = useRef<{ x: number; w: number; panel: HTMLElement } | null>(null);
  const onDown = (e: PointerEvent<HTMLDivElement>): void => {
    const panel = e.currentTarget.parentElement;
    if (panel === null) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, w: panel.getBoundingClientRect().width, panel };
  };
  const onMove = (e: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current;
    if (d === null) return;
    // Styled directly while dragging: no store update (and re-render) per pointer move.
    d.panel.style.width = `${clampDetailWidth(d.w + d.x - e.clientX, window.innerWidth)}px`;
  };
  const onUp = (e: PointerEvent<HTMLDivElement>): void => {
    const d = drag.current;
    drag.current = null;
    if (d !== null) useStore.getState().setDetailWidth(d.w + d.x - e.clientX);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = e.key === 'ArrowLeft' ? 24 : e.key === 'ArrowRight' ? -24 : 0;
    if (step === 0) return;
    e.preventDefault();
    e.stopPropagation();
    const s = useStore.getState();
    s.setDetailWidth(clampDetailWidth(s.detailWidth, window.innerWidth) + step);
  };
  return (
    <div
      className="detail-resize"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the detail panel"
      tabIndex={0}
      data-testid="detail-resize"
      onPointerDown={onDown}
      onPointerMove={onMove}
      onPointerUp={onUp}
      onPointerCancel={onUp}
      onKeyDown={onKey}
    />
  );
}

/** What was fetched for one record id (state is keyed by id, so a new selection starts empty without a reset). */
interface Loaded {
  id: number | null;
  record: JournalRecord | null;
  error: string;
  copied: boolean;
}

/**
 * The selected record in full: description (wrapped, never cut), fields with click-to-filter on their values (as
 * sent), JSON (as text) with a copy button, and its place in the hash chain. Resizable from its left edge.
 */
export function EventDetail() {
  const selectedId = useStore((s) => s.selectedId);
  const integrity = useStore((s) => s.integrity);
  const detailWidth = useStore((s) => s.detailWidth);
  // A record selected by a link is fetched once the channel is up (a reload selects before it connects).
  const live = useStore((s) => s.link === 'live');
  useStore((s) => s.timeZone);
  const client = useClient();
  const panel = useRef<HTMLElement>(null);
  const [loaded, setLoaded] = useState<Loaded>({ id: null, record: null, error: '', copied: false });
  const mine = loaded.id === selectedId;
  const record = mine ? loaded.record : null;
  const error = mine ? loaded.error : '';
  const copied = mine && loaded.copied;

  useEffect(() => {
    if (selectedId === null || !live) return;
    let current = true;
    const done = (record: JournalRecord | null, error: string): void => {
      if (current) setLoaded({ id: selectedId, record, error, copied: false });
    };
    client.record(selectedId).then(
      (r) => done(r, r ? '' : 'record not found in the journal'),
      (e: unknown) => done(null, e instanceof Error ? e.message : String(e)),
    );
    return () => {
      current = false;
    };
  }, [selectedId, client, live]);

  // A width saved on a wider screen still leaves the table room here.
  useEffect(() => {
    if (panel.current !== null) panel.current.style.width = `${clampDetailWidth(detailWidth, window.innerWidth)}px`;
  }, [detailWidth, selectedId]);

  if (selectedId === null) return null;
  const json = record ? recordDisplayJson(record) : '';
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(json);
      setLoaded((l) => ({ ...l, copied: true }));
    } catch {
      setLoaded((l) => ({ ...l, error: 'clipboard not available' }));
    }
  };
  const chainOk =
    integrity !== null && (integrity.ok || (integrity.first_bad_id !== null && selectedId < integrity.first_bad_id));
  const fields = record ? fieldEntries(record.fields_raw) : [];
  return (
    <aside className="detail" aria-label="Event detail" ref={panel} data-testid="detail">
      <ResizeHandle />
      <header className="detail-head">
        <span>record #{selectedId}</span>
        <span className="grow" />
        <button type="button" onClick={() => void copy()} disabled={record === null}>
          {copied ? 'copied' : 'copy JSON'}
        </button>
        <button type="button" onClick={() => useStore.getState().select(null)} aria-label="Close detail">
          ✕
        </button>
      </header>
      {error !== '' && <div className="err">{error}</div>}
      {record && (
        <>
          <p className="detail-desc" data-testid="detail-desc">
            {record.event_description ?? <span className="muted">no description</span>}
          </p>
          <dl className="detail-facts">
            <dt>project</dt>
            <dd>
              <FilterValue patch={{ project: record.project_name }} title="Show only this project" />
            </dd>
            <dt>type</dt>
            <dd>
              <FilterValue patch={{ type: record.event_type }} title="Show only this type" />
            </dd>
            <dt>bot time</dt>
            <dd>{formatDateTime(record.timestamp)}</dd>
            <dt>received</dt>
            <dd>{formatDateTime(record.received_at)}</dd>
            <dt>session</dt>
            <dd>
              {record.session} · seq {record.seq} · {record.source}
            </dd>
            <dt>hash</dt>
            <dd className="hash" data-testid="record-hash">
              {record.hash}
            </dd>
            <dt>prev</dt>
            <dd className="hash">{record.prev_hash}</dd>
            <dt>chain</dt>
            <dd className={chainOk ? 'ok' : 'err'}>
              {integrity === null
                ? 'not checked'
                : chainOk
                  ? `intact at last check (${formatDateTime(integrity.checked_at)})`
                  : integrity.message}
            </dd>
          </dl>
          {fields.length > 0 && (
            <table className="detail-fields" data-testid="detail-fields">
              <tbody>
                {fields.map((f) => (
                  <tr key={f.key}>
                    <th scope="row">{f.key}</th>
                    <td>
                      {f.term === null ? (
                        <span className="value fixed" title="Filter by typing a term: this value has no exact term">
                          {f.shown}
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="value"
                          data-term={f.term}
                          title={`Filter: ${f.term}`}
                          onClick={() => filterOn(f.term!)}
                        >
                          {f.shown}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <pre className="json" data-testid="record-json">
            {json}
          </pre>
        </>
      )}
    </aside>
  );
}

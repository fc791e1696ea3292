import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatCount, formatDateTime, formatRowTime, keyFields, spansDays, typeKind } from '../lib/format.js';
import { computeWindow, rowsBelow, scrollTopFor } from '../lib/virtual-window.js';
import { useStore } from '../store/store.js';

/** Height of one table row in px; must match `.row` in styles.css. */
export const ROW_HEIGHT = 22;

/**
 * The virtualized event table: renders only the visible rows, re-renders at most once per store flush, follows
 * the newest row until the user scrolls up (or moves the selection), then offers "N new" (exactly the rows below
 * the viewport) to jump back. Times show in the chosen zone, with the date when the rows span more than one day.
 */
export function EventTable() {
  const view = useStore((s) => s.view);
  const version = useStore((s) => s.rowsVersion);
  const follow = useStore((s) => s.follow);
  const selectedId = useStore((s) => s.selectedId);
  useStore((s) => s.timeZone);
  const scroller = useRef<HTMLDivElement>(null);
  const programmatic = useRef(false);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const total = view.length;
  const selIndex = selectedId === null ? -1 : view.indexOf(selectedId);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    setViewport(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // Follow live: after each flush jump to the bottom, marking the scroll as ours so it does not pause following.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null || !follow) return;
    const bottom = Math.max(0, el.scrollHeight - el.clientHeight);
    if (Math.abs(el.scrollTop - bottom) > 1) {
      programmatic.current = true;
      el.scrollTop = bottom;
    }
    setScrollTop(el.scrollTop);
  }, [version, follow, total, viewport]);

  // Keep the selected row on screen when the keyboard moves the selection (or a link's record arrives).
  useEffect(() => {
    const el = scroller.current;
    if (el === null || selectedId === null) return;
    const index = view.indexOf(selectedId);
    if (index < 0) return;
    const w = computeWindow(total, ROW_HEIGHT, el.clientHeight, el.scrollTop);
    if (index >= w.first + 1 && index < w.first + Math.floor(el.clientHeight / ROW_HEIGHT) - 1) return;
    programmatic.current = true;
    el.scrollTop = scrollTopFor(Math.max(0, index - 3), total, ROW_HEIGHT, el.clientHeight);
    setScrollTop(el.scrollTop);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedId, selIndex < 0]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (el === null) return;
    setScrollTop(el.scrollTop);
    if (programmatic.current) {
      programmatic.current = false;
      return;
    }
    const atBottom = el.scrollTop >= el.scrollHeight - el.clientHeight - ROW_HEIGHT;
    const s = useStore.getState();
    if (atBottom !== s.follow) s.setFollow(atBottom);
  }, []);

  const w = computeWindow(total, ROW_HEIGHT, viewport, scrollTop);
  const rows = [];
  const first = total > 0 ? view.at(0) : undefined;
  const last = total > 0 ? view.at(total - 1) : undefined;
  const withDate = first !== undefined && last !== undefined && spansDays(first.ts, last.ts);
  for (let i = 0; i < w.count; i++) {
    const r = view.at(w.first + i);
    if (r === undefined) continue;
    rows.push(
      <div
        key={i}
        role="row"
        className={`row kind-${typeKind(r.type, r.system)} ${r.id === selectedId ? 'selected' : ''}`}
        data-id={r.id}
        onClick={() => useStore.getState().select(r.id === selectedId ? null : r.id)}
      >
        <span className="c-time" title={formatDateTime(r.ts)}>
          {formatRowTime(r.ts, withDate)}
        </span>
        <span className="c-project">{r.project}</span>
        <span className="c-type">{r.type}</span>
        <span className="c-desc">{r.desc}</span>
        <span className="c-fields">{keyFields(r.fields)}</span>
      </div>,
    );
  }
  const newCount = follow ? 0 : rowsBelow(total, ROW_HEIGHT, viewport, scrollTop);
  return (
    <div className={`table ${withDate ? 'with-date' : ''}`} role="table" aria-label="Events" data-rows={total}>
      <div className="row head" role="row">
        <span className="c-time">time</span>
        <span className="c-project">project</span>
        <span className="c-type">type</span>
        <span className="c-desc">description</span>
        <span className="c-fields">fields</span>
      </div>
      <div className="table-scroll" ref={scroller} onScroll={onScroll} tabIndex={0}>
        <div className="table-content" style={{ height: w.contentHeight }}>
          <div className="table-rows" style={{ transform: `translateY(${w.offsetY}px)` }}>
            {rows}
          </div>
        </div>
      </div>
      {!follow && (
        <button
          type="button"
          className="jump-live"
          data-below={newCount}
          onClick={() => useStore.getState().setFollow(true)}
        >
          {newCount > 0 ? `${formatCount(newCount)} new ↓` : 'Follow live ↓'}
        </button>
      )}
    </div>
  );
}

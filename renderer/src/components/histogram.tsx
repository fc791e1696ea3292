import { compileFilter, type QueryFilter } from '@ic-audit/shared';
import { useEffect, useRef } from 'react';
import { formatCount, formatRowTime, spansDays } from '../lib/format.js';
import { HistogramFeed, STEPS } from '../lib/histogram.js';
import { useStore } from '../store/store.js';
import type { AppState } from '../store/types.js';

/** Narrowest bar drawn, px. */
const MIN_BAR_PX = 4;
/** How often streaming rows redraw the histogram, ms. */
const LIVE_REDRAW_MS = 250;
/** Brushes narrower than this are clicks, not zooms. */
const MIN_BRUSH_PX = 4;

function stepLabel(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${s / 60} min`;
  if (s < 86_400) return `${s / 3600} h`;
  return `${s / 86_400} d`;
}

/** The time window the histogram spans: the filter's range, or (for "all") from the oldest row to now. */
function windowOf(filter: QueryFilter, now: number, oldest: number): { from: number; to: number } {
  const c = compileFilter({ ...filter, text: '' }, now);
  let from = c.since ?? (Number.isFinite(oldest) ? oldest : now - 3600);
  let to = c.until ?? now;
  if (to - from < 2) {
    const mid = (from + to) / 2;
    from = mid - 1;
    to = mid + 1;
  }
  return { from, to };
}

/**
 * Events per time bucket over the stream, for the current filter and range; drag across it (brush) to zoom the
 * range to that interval. Drawn on a canvas outside React: counts are fed incrementally from the store's
 * `subscribe` (one update per frame batch) and the canvas is redrawn when the page is idle, so
 * thousands of events per second cost no React render at all.
 */
export function Histogram() {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const brush = useRef<HTMLDivElement>(null);
  const axisFrom = useRef<HTMLSpanElement>(null);
  const axisTo = useRef<HTMLSpanElement>(null);
  const caption = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const el = canvas.current!;
    const feed = new HistogramFeed();
    let pending = false;
    let stopped = false;
    let shown = { from: 0, to: 1 };
    let colors = { scheme: '?', line: '', bar: '' };
    let liveTimer: ReturnType<typeof setTimeout> | null = null;

    const draw = (): void => {
      pending = false;
      if (stopped) return;
      const s = useStore.getState();
      feed.sync(s.view, s.filter);
      const h = feed.histogram;
      const now = Date.now() / 1000 + s.clockSkew;
      const win = windowOf(s.filter, now, h.start);
      shown = win;
      const dpr = window.devicePixelRatio || 1;
      const cssW = el.clientWidth;
      const cssH = el.clientHeight;
      if (el.width !== Math.round(cssW * dpr) || el.height !== Math.round(cssH * dpr)) {
        el.width = Math.round(cssW * dpr);
        el.height = Math.round(cssH * dpr);
      }
      const span = win.to - win.from;
      const barStep = STEPS.find((st) => st >= h.step && (span / st) * MIN_BAR_PX <= cssW) ?? STEPS[STEPS.length - 1]!;
      const bars = h.bars(win.from, win.to, barStep);
      let max = 0;
      let total = 0;
      let nonZero = 0;
      for (const c of bars.counts) {
        if (c > max) max = c;
        if (c > 0) nonZero++;
        total += c;
      }
      const ctx = el.getContext('2d');
      if (ctx !== null) {
        // Palette read once per theme, not per frame (getComputedStyle may force a style pass).
        const scheme = document.documentElement.dataset['scheme'] ?? '';
        if (colors.scheme !== scheme) {
          const css = getComputedStyle(el);
          colors = { scheme, line: css.getPropertyValue('--line'), bar: css.getPropertyValue('--accent') };
        }
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.clearRect(0, 0, cssW, cssH);
        ctx.fillStyle = colors.line;
        ctx.fillRect(0, cssH - 1, cssW, 1);
        ctx.fillStyle = colors.bar;
        const pxPerSec = cssW / span;
        const barW = Math.max(1, barStep * pxPerSec - 1);
        bars.counts.forEach((c, i) => {
          if (c === 0) return;
          const x = (bars.start + i * barStep - win.from) * pxPerSec;
          const bh = Math.max(2, (c / max) * (cssH - 4));
          ctx.fillRect(x, cssH - bh, barW, bh);
        });
      }
      const b = box.current!;
      b.dataset['total'] = String(total);
      b.dataset['bars'] = String(nonZero);
      b.dataset['from'] = String(win.from);
      b.dataset['to'] = String(win.to);
      const withDate = spansDays(win.from, win.to);
      axisFrom.current!.textContent = formatRowTime(win.from, withDate).replace(/\.\d+$/, '');
      axisTo.current!.textContent = formatRowTime(win.to, withDate).replace(/\.\d+$/, '');
      caption.current!.textContent = `${formatCount(total)} events · bars of ${stepLabel(barStep)} · peak ${formatCount(max)}`;
    };
    // Drawn when the page is idle (at most 100 ms later): the count and drawing never delay the frame that paints
    // the table's rows after a new filter.
    const schedule = (): void => {
      if (pending) return;
      pending = true;
      if (typeof requestIdleCallback === 'function') requestIdleCallback(draw, { timeout: 100 });
      else setTimeout(draw, 16);
    };
    // New rows redraw a few times a second (bars of a second or more need no more); a new filter, zone or theme
    // as soon as the page is idle.
    const scheduleLive = (): void => {
      liveTimer ??= setTimeout(() => {
        liveTimer = null;
        schedule();
      }, LIVE_REDRAW_MS);
    };
    const unsubscribe = useStore.subscribe((s: AppState, prev: AppState) => {
      if (s.filter !== prev.filter || s.timeZone !== prev.timeZone || s.theme !== prev.theme) schedule();
      else if (s.rowsVersion !== prev.rowsVersion) scheduleLive();
    });
    // Relative ranges slide with the clock; the canvas follows its width.
    const tick = setInterval(schedule, 1000);
    const ro = new ResizeObserver(schedule);
    ro.observe(el);
    draw();

    // Brush: drag across the bars to zoom the time range to that interval.
    let x0: number | null = null;
    const xOf = (e: PointerEvent): number => {
      const r = el.getBoundingClientRect();
      return Math.max(0, Math.min(r.width, e.clientX - r.left));
    };
    const timeAt = (x: number): number => shown.from + (x / el.clientWidth) * (shown.to - shown.from);
    const paintBrush = (a: number, z: number): void => {
      const st = brush.current!.style;
      st.display = 'block';
      st.left = `${el.offsetLeft + Math.min(a, z)}px`;
      st.width = `${Math.abs(z - a)}px`;
    };
    const onDown = (e: PointerEvent): void => {
      if (e.button !== 0) return;
      el.setPointerCapture(e.pointerId);
      x0 = xOf(e);
      paintBrush(x0, x0);
    };
    const onMove = (e: PointerEvent): void => {
      const x = xOf(e);
      if (x0 !== null) paintBrush(x0, x);
      else el.title = `${formatRowTime(timeAt(x), spansDays(shown.from, shown.to))} · drag to zoom`;
    };
    const onUp = (e: PointerEvent): void => {
      if (x0 === null) return;
      const a = Math.min(x0, xOf(e));
      const z = Math.max(x0, xOf(e));
      x0 = null;
      brush.current!.style.display = 'none';
      if (z - a < MIN_BRUSH_PX) return;
      const ms = (t: number): number => Math.round(t * 1000) / 1000;
      useStore.getState().setFilter({ range: 'custom', from: ms(timeAt(a)), to: ms(timeAt(z)) });
    };
    el.addEventListener('pointerdown', onDown);
    el.addEventListener('pointermove', onMove);
    el.addEventListener('pointerup', onUp);
    el.addEventListener('pointercancel', onUp);
    return () => {
      unsubscribe();
      clearInterval(tick);
      if (liveTimer !== null) clearTimeout(liveTimer);
      ro.disconnect();
      stopped = true;
      el.removeEventListener('pointerdown', onDown);
      el.removeEventListener('pointermove', onMove);
      el.removeEventListener('pointerup', onUp);
      el.removeEventListener('pointercancel', onUp);
    };
  }, []);

  return (
    <div className="histogram" ref={box} data-testid="histogram">
      <canvas ref={canvas} role="img" aria-label="Events over time; drag across to zoom the time range" />
      <div className="histogram-brush" ref={brush} />
      <div className="histogram-axis">
        <span ref={axisFrom} />
        <span className="histogram-caption" ref={caption} />
        <span ref={axisTo} />
      </div>
    </div>
  );
}

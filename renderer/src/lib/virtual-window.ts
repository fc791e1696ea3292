/** Tallest scroll content we create: browsers cap element heights (Chrome ~33M px, Firefox ~17M px). */
export const MAX_SCROLL_PX = 12_000_000;

/** Which rows to render for a scroll position. */
export interface VirtualWindow {
  first: number;
  count: number;
  /** Top of the first rendered row inside the scroll content, in px. */
  offsetY: number;
  /** Height of the scroll content, in px. */
  contentHeight: number;
}

/**
 * Fixed-row-height virtualization. Past {@link MAX_SCROLL_PX} the scrollbar maps proportionally onto rows, so a
 * million rows still scroll end to end.
 */
export function computeWindow(total: number, rowHeight: number, viewport: number, scrollTop: number): VirtualWindow {
  const natural = total * rowHeight;
  const contentHeight = Math.min(natural, MAX_SCROLL_PX);
  const visible = Math.ceil(viewport / rowHeight) + 1;
  let first: number;
  let offsetY: number;
  if (natural <= MAX_SCROLL_PX) {
    first = Math.max(0, Math.floor(scrollTop / rowHeight));
    offsetY = first * rowHeight;
  } else {
    const maxScroll = Math.max(1, contentHeight - viewport);
    const exact = (Math.min(Math.max(0, scrollTop), maxScroll) / maxScroll) * Math.max(0, total - viewport / rowHeight);
    first = Math.floor(exact);
    offsetY = scrollTop - (exact - first) * rowHeight;
  }
  first = Math.min(first, Math.max(0, total - 1));
  return { first, count: Math.max(0, Math.min(visible, total - first)), offsetY, contentHeight };
}

/** Scroll position that puts row `index` at the top of the viewport. */
export function scrollTopFor(index: number, total: number, rowHeight: number, viewport: number): number {
  const natural = total * rowHeight;
  if (natural <= MAX_SCROLL_PX) return index * rowHeight;
  const maxScroll = MAX_SCROLL_PX - viewport;
  return (index / Math.max(1, total - viewport / rowHeight)) * maxScroll;
}

/**
 * Rows below the viewport: those after the last row whose top is inside it (a row cut by the bottom edge counts
 * as on screen). This is what "N new ↓" shows while the table does not follow live.
 */
export function rowsBelow(total: number, rowHeight: number, viewport: number, scrollTop: number): number {
  if (total === 0) return 0;
  const w = computeWindow(total, rowHeight, viewport, scrollTop);
  const top = w.offsetY - scrollTop;
  const onScreen = Math.max(0, Math.ceil((viewport - top) / rowHeight));
  return Math.max(0, total - (w.first + onScreen));
}

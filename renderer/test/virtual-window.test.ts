/** Table virtualization: which rows to render for a scroll position, in natural and scaled (huge table) modes. */
import { describe, expect, it } from 'vitest';
import { computeWindow, MAX_SCROLL_PX, rowsBelow, scrollTopFor } from '../src/lib/virtual-window.js';

const ROW = 22;
const VIEW = 660; // 30 rows

describe('computeWindow', () => {
  it('no rows: nothing to render, no height', () => {
    expect(computeWindow(0, ROW, VIEW, 0)).toEqual({ first: 0, count: 0, offsetY: 0, contentHeight: 0 });
  });

  it('fewer rows than the viewport: all of them from the top', () => {
    expect(computeWindow(5, ROW, VIEW, 0)).toEqual({ first: 0, count: 5, offsetY: 0, contentHeight: 110 });
  });

  it('natural mode: the row under the top edge first, one more than fits, offset on the row grid', () => {
    expect(computeWindow(1000, ROW, VIEW, 21)).toEqual({ first: 0, count: 31, offsetY: 0, contentHeight: 22_000 });
    expect(computeWindow(1000, ROW, VIEW, 22)).toMatchObject({ first: 1, offsetY: 22 });
    const end = computeWindow(1000, ROW, VIEW, 22_000 - VIEW);
    expect(end.first + end.count).toBe(1000);
  });

  it('natural mode: a scroll position past the end still renders the last row, one below the top is clamped', () => {
    expect(computeWindow(10, ROW, VIEW, 10_000)).toMatchObject({ first: 9, count: 1 });
    expect(computeWindow(10, ROW, VIEW, -50)).toMatchObject({ first: 0, offsetY: 0 });
  });

  it('the scaled mode starts exactly where the natural height passes the cap', () => {
    const rows = MAX_SCROLL_PX / ROW;
    expect(Number.isInteger(rows)).toBe(false);
    const natural = Math.floor(rows);
    expect(computeWindow(natural, ROW, VIEW, 0).contentHeight).toBe(natural * ROW);
    expect(computeWindow(natural + 1, ROW, VIEW, 0).contentHeight).toBe(MAX_SCROLL_PX);
  });

  it('scaled mode: scrollTopFor puts a row at the top, from the first row to the last page', () => {
    const total = 5_000_000;
    for (const index of [0, 1, 1234, 2_500_000, total - VIEW / ROW]) {
      const top = scrollTopFor(index, total, ROW, VIEW);
      expect(top).toBeLessThanOrEqual(MAX_SCROLL_PX - VIEW);
      const w = computeWindow(total, ROW, VIEW, top);
      expect(Math.abs(w.first - index), `row ${index}`).toBeLessThanOrEqual(1);
      expect(w.first + w.count).toBeLessThanOrEqual(total);
    }
    const bottom = computeWindow(total, ROW, VIEW, MAX_SCROLL_PX - VIEW);
    expect(bottom.first + bottom.count).toBe(total);
  });

  it('scaled mode: a scroll position above the top renders from row 0, as the natural mode does', () => {
    expect(computeWindow(5_000_000, ROW, VIEW, -50).first).toBe(0);
  });
});

describe('scrollTopFor', () => {
  it('natural mode: row index times row height', () => {
    expect(scrollTopFor(0, 100, ROW, VIEW)).toBe(0);
    expect(scrollTopFor(50, 100, ROW, VIEW)).toBe(1100);
  });
});

describe('rowsBelow', () => {
  it('none for an empty table, or when the bottom is on screen', () => {
    expect(rowsBelow(0, ROW, VIEW, 0)).toBe(0);
    expect(rowsBelow(10, ROW, VIEW, 0)).toBe(0);
    expect(rowsBelow(1000, ROW, VIEW, 22_000 - VIEW)).toBe(0);
  });

  it('a row cut by the bottom edge is on screen; the next one is below', () => {
    expect(rowsBelow(100, ROW, VIEW, 0)).toBe(70);
    expect(rowsBelow(100, ROW, VIEW, 11)).toBe(69);
    expect(rowsBelow(100, ROW, VIEW, 22)).toBe(69);
  });
});

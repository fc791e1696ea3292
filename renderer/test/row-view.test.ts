import { EMPTY_FILTER } from '@ic-audit/shared';
import { describe, expect, it } from 'vitest';
import { fromWire, type Row } from '../src/lib/row.js';
import { RowRing } from '../src/lib/row-ring.js';
import { RowView } from '../src/lib/row-view.js';

const row = (id: number, project = id % 2 ? 'odd' : 'even', fields = `{"n":${id}}`): Row =>
  fromWire([
    id,
    1000 + id,
    1000 + id,
    's1',
    id,
    project,
    id % 10 === 0 ? 'error' : 'tick',
    `event ${id}`,
    fields,
    'ws',
  ]);

describe('row ring and view', () => {
  it('keeps the newest rows within capacity and refuses duplicates', () => {
    const ring = new RowRing(10);
    for (let id = 1; id <= 100; id++) ring.push(row(id));
    expect(ring.push(row(50))).toBe(false);
    expect(ring.size).toBeLessThanOrEqual(20);
    expect(ring.at(ring.end - 1)!.id).toBe(100);
    expect(ring.oldest()!.id).toBe(100 - ring.size + 1);
  });

  it('indexes only matching rows, live, and forgets evicted ones', () => {
    const ring = new RowRing(1000);
    const view = new RowView(ring);
    view.setFilter({ ...EMPTY_FILTER, project: 'odd' }, 0);
    for (let id = 1; id <= 5000; id++) {
      const from = ring.end;
      ring.push(row(id));
      view.appended(from);
    }
    let odd = 0;
    for (let o = ring.first; o < ring.end; o++) if (ring.at(o)!.id % 2) odd++;
    expect(view.length).toBe(odd);
    for (let i = 0; i < view.length; i++) expect(view.at(i)!.project).toBe('odd');
    expect(view.at(view.length - 1)!.id).toBe(4999);
    expect(view.indexOf(4999)).toBe(view.length - 1);
    expect(view.indexOf(4998)).toBe(-1);
  });

  it('shows the whole ring unfiltered and re-filters on demand (field terms on JSON text)', () => {
    const ring = new RowRing(100);
    const view = new RowView(ring);
    for (let id = 1; id <= 30; id++)
      ring.push(row(id, 'p', id % 3 === 0 ? '{"symbol":"EURUSD"}' : '{"symbol":"GBPUSD"}'));
    view.setFilter(EMPTY_FILTER, 0);
    expect(view.length).toBe(30);
    view.setFilter({ ...EMPTY_FILTER, text: 'symbol=EURUSD' }, 0);
    expect(view.length).toBe(10);
    view.setFilter({ ...EMPTY_FILTER, type: 'error' }, 0);
    expect(view.length).toBe(3);
  });

  it('puts older pages from the collector before the ring, never duplicating', () => {
    const ring = new RowRing(100);
    const view = new RowView(ring);
    for (let id = 50; id <= 60; id++) ring.push(row(id));
    expect(view.olderCursor()).toBe(50);
    view.prependOlder([row(55), row(49), row(48)], true);
    expect(view.length).toBe(13);
    expect(view.at(0)!.id).toBe(48);
    expect(view.olderCursor()).toBe(48);
    view.prependOlder([row(47)], false);
    expect(view.at(0)!.id).toBe(47);
    expect(view.olderMore).toBe(false);
  });

  it('interns repeated strings so many rows share one copy', () => {
    const a = fromWire([1, 1, 1, 'sess', 1, 'proj'.slice(0), 'type', 'd', '{}', 'ws']);
    const b = fromWire([2, 1, 1, 'sess', 2, ['p', 'r', 'o', 'j'].join(''), 'type', 'd', '{}', 'ws']);
    expect(Object.is(a.project, b.project)).toBe(true);
  });
});

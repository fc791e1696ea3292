/** Console channel frames: every request the console may send (checked field by field) and every collector reply. */
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_LIMIT } from '../src/console-protocol.js';
import { MAX_REQUEST_ID_LENGTH } from '../src/limits.js';
import { isWireRow, parseConsoleClientFrame, parseConsoleServerFrame } from '../src/parse-console.js';
import { EMPTY_FILTER } from '../src/query-filter.js';

const client = (frame: object): ReturnType<typeof parseConsoleClientFrame> =>
  parseConsoleClientFrame(JSON.stringify(frame));
const server = (frame: object): ReturnType<typeof parseConsoleServerFrame> =>
  parseConsoleServerFrame(JSON.stringify(frame));
const ROW = [1, 2.5, 2, 's', 1, 'P', 't', null, '{}', 'ws'];
/** ROW with cell `i` replaced. */
const rowWith = (i: number, v: unknown): unknown[] => ROW.map((c, j) => (j === i ? v : c));

describe('parseConsoleClientFrame', () => {
  it('snapshot needs nothing else; every other request needs an id of at most the limit', () => {
    expect(client({ type: 'snapshot' })).toEqual({ ok: true, value: { type: 'snapshot' } });
    expect(client({ type: 'verify', id: 'i'.repeat(MAX_REQUEST_ID_LENGTH) })).toEqual({
      ok: true,
      value: { type: 'verify', id: 'i'.repeat(MAX_REQUEST_ID_LENGTH) },
    });
    const rule = `id must be a string of at most ${MAX_REQUEST_ID_LENGTH} characters`;
    for (const id of ['i'.repeat(MAX_REQUEST_ID_LENGTH + 1), 7, null, undefined]) {
      expect(client({ type: 'verify', id })).toEqual({ ok: false, code: 'E_BAD_FRAME', message: rule });
    }
  });

  it('query: defaults to no filter, no cursor and 1000 records', () => {
    expect(client({ type: 'query', id: 'q' })).toEqual({
      ok: true,
      value: { type: 'query', id: 'q', filter: { ...EMPTY_FILTER }, before: null, limit: 1000 },
    });
    expect(client({ type: 'query', id: 'q', before: 42, limit: 7, filter: { project: 'P' } })).toMatchObject({
      ok: true,
      value: { before: 42, limit: 7, filter: { project: 'P', range: 'all' } },
    });
  });

  it(`query: limit 1 and ${MAX_QUERY_LIMIT} pass, 0 and one more are refused; before must be an integer`, () => {
    expect(client({ type: 'query', id: 'q', limit: 1 })).toMatchObject({ ok: true });
    expect(client({ type: 'query', id: 'q', limit: MAX_QUERY_LIMIT })).toMatchObject({ ok: true });
    const limitRule = `limit must be an integer in [1, ${MAX_QUERY_LIMIT}]`;
    for (const limit of [0, MAX_QUERY_LIMIT + 1, 2.5, '10', -1]) {
      expect(client({ type: 'query', id: 'q', limit })).toEqual({ ok: false, code: 'E_BAD_FRAME', message: limitRule });
    }
    for (const before of [1.5, '3', 2 ** 53]) {
      expect(client({ type: 'query', id: 'q', before })).toEqual({
        ok: false,
        code: 'E_BAD_FRAME',
        message: 'before must be an id',
      });
    }
    expect(client({ type: 'query', id: 'q', filter: 'P' })).toEqual({
      ok: false,
      code: 'E_BAD_FRAME',
      message: 'filter must be an object',
    });
  });

  it('get: a record id', () => {
    expect(client({ type: 'get', id: 'g', record: 0 })).toEqual({
      ok: true,
      value: { type: 'get', id: 'g', record: 0 },
    });
    for (const record of [undefined, '1', 1.5]) {
      expect(client({ type: 'get', id: 'g', record })).toEqual({
        ok: false,
        code: 'E_BAD_FRAME',
        message: 'record must be an id',
      });
    }
  });

  it('dump: 30h JSON by default; a filter scope needs a filter; bad values are E_BAD_DUMP', () => {
    expect(client({ type: 'dump', id: 'd' })).toEqual({
      ok: true,
      value: { type: 'dump', id: 'd', scope: '30h', format: 'json', filter: null },
    });
    expect(client({ type: 'dump', id: 'd', scope: 'filter', format: 'ndjson', filter: { type: 'x' } })).toMatchObject({
      ok: true,
      value: { scope: 'filter', format: 'ndjson', filter: { type: 'x' } },
    });
    expect(client({ type: 'dump', id: 'd', scope: 'week' })).toEqual({
      ok: false,
      code: 'E_BAD_DUMP',
      message: 'scope must be one of 30h, all, filter',
    });
    expect(client({ type: 'dump', id: 'd', format: 'xml' })).toEqual({
      ok: false,
      code: 'E_BAD_DUMP',
      message: 'format must be one of json, ndjson, csv',
    });
    expect(client({ type: 'dump', id: 'd', scope: 'filter', filter: null })).toEqual({
      ok: false,
      code: 'E_BAD_DUMP',
      message: 'scope filter needs a filter',
    });
    expect(client({ type: 'dump', id: 'd', filter: { range: 'decade' } })).toMatchObject({
      ok: false,
      code: 'E_BAD_DUMP',
      message: expect.stringMatching(/^filter\.range must be one of/) as unknown,
    });
  });

  it('refuses non-JSON, non-objects and unknown types, quoting the type cut to 80 characters', () => {
    expect(parseConsoleClientFrame('{')).toEqual({ ok: false, code: 'E_BAD_JSON', message: 'frame is not valid JSON' });
    expect(parseConsoleClientFrame('[]')).toEqual({
      ok: false,
      code: 'E_BAD_FRAME',
      message: 'frame must be a JSON object',
    });
    expect(client({ type: 'nope', id: '1' })).toEqual({
      ok: false,
      code: 'E_UNKNOWN_TYPE',
      message: 'unknown console frame type "nope"',
    });
    const long = client({ type: 't'.repeat(200), id: '1' });
    expect(long).toMatchObject({ ok: false, code: 'E_UNKNOWN_TYPE' });
    expect(!long.ok && long.message).toBe(`unknown console frame type "${'t'.repeat(79)}`);
  });
});

describe('isWireRow', () => {
  it('ten cells of the right types; the description may be null', () => {
    expect(isWireRow(ROW)).toBe(true);
    expect(isWireRow(rowWith(7, 'd'))).toBe(true);
    expect(isWireRow(ROW.slice(0, 9))).toBe(false);
    expect(isWireRow([...ROW, 'x'])).toBe(false);
    for (let i = 0; i < ROW.length; i++) {
      const wrong = typeof ROW[i] === 'number' ? 'n' : 5;
      expect(isWireRow(rowWith(i, wrong)), `cell ${i}`).toBe(false);
    }
    expect(isWireRow({ ...ROW, length: 10 })).toBe(false);
  });
});

describe('parseConsoleServerFrame', () => {
  const health = { ok: true };

  it('accepts each frame kind in its shape', () => {
    const good: object[] = [
      { type: 'snapshot', rows: [ROW], sessions: [], health, now: 1 },
      { type: 'records', rows: [] },
      { type: 'sessions', sessions: [] },
      { type: 'health', health, now: 2 },
      { type: 'result', id: 'q', rows: [ROW], more: false },
      { type: 'record', id: 'g', record: null },
      { type: 'record', id: 'g', record: { id: 1 } },
      { type: 'dumped', id: 'd', result: {}, download: '/dl' },
      { type: 'verified', id: 'v', integrity: {} },
      { type: 'dump_written', result: { path: '/p' } },
    ];
    for (const frame of good) expect(server(frame), JSON.stringify(frame)).toEqual({ ok: true, value: frame });
  });

  it('refuses each kind with a bad part, rows included (they carry bot text)', () => {
    const bad: Array<[object, string]> = [
      [{ type: 'snapshot', rows: [ROW.slice(1)], sessions: [], health, now: 1 }, 'snapshot'],
      [{ type: 'snapshot', rows: [], sessions: {}, health, now: 1 }, 'snapshot'],
      [{ type: 'snapshot', rows: [], sessions: [], health, now: '1' }, 'snapshot'],
      [{ type: 'records', rows: [[...ROW.slice(0, 9), 1]] }, 'records'],
      [{ type: 'records' }, 'records'],
      [{ type: 'sessions', sessions: null }, 'sessions'],
      [{ type: 'health', health: [], now: 1 }, 'health'],
      [{ type: 'result', rows: [] }, 'result'],
      [{ type: 'record', id: 'g', record: [] }, 'record'],
      [{ type: 'dumped', id: 'd', result: {} }, 'dumped'],
      [{ type: 'verified', id: 'v' }, 'verified'],
      [{ type: 'dump_written', result: { path: 3 } }, 'dump_written'],
    ];
    for (const [frame, kind] of bad) {
      expect(server(frame), JSON.stringify(frame)).toEqual({
        ok: false,
        code: 'E_BAD_FRAME',
        message: `bad ${kind} frame`,
      });
    }
  });

  it('resync and error frames are normalised to strings', () => {
    expect(server({ type: 'resync' })).toEqual({ ok: true, value: { type: 'resync', reason: '' } });
    expect(server({ type: 'resync', reason: 5, x: 1 })).toEqual({ ok: true, value: { type: 'resync', reason: '5' } });
    expect(server({ type: 'error', id: 3, code: 'E_X' })).toEqual({
      ok: true,
      value: { type: 'error', id: null, code: 'E_X', message: '' },
    });
    expect(server({ type: 'error', id: 'r', message: 'm' })).toEqual({
      ok: true,
      value: { type: 'error', id: 'r', code: '', message: 'm' },
    });
  });

  it('refuses non-JSON, non-objects and unknown kinds', () => {
    expect(parseConsoleServerFrame('nope')).toMatchObject({ ok: false, code: 'E_BAD_JSON' });
    expect(parseConsoleServerFrame('null')).toMatchObject({ ok: false, code: 'E_BAD_FRAME' });
    expect(server({ type: 'welcome' })).toEqual({
      ok: false,
      code: 'E_UNKNOWN_TYPE',
      message: 'unknown console server frame type welcome',
    });
  });
});

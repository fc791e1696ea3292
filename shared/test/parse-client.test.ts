import { describe, expect, it } from 'vitest';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENTS_PER_FRAME,
  MAX_FIELD_DEPTH,
  MAX_FIELD_KEY_LENGTH,
  MAX_FIELD_STRING_LENGTH,
  MAX_FIELDS_JSON_LENGTH,
  MAX_FIELDS_PER_EVENT,
  MAX_PRIVILEGES,
  MAX_PROJECT_NAME_LENGTH,
  MAX_SESSION_LENGTH,
  MIN_SESSION_LENGTH,
} from '../src/limits.js';
import { parseClientFrame } from '../src/parse-client.js';
import { parseFlatEvent } from '../src/parse-flat.js';
import { parseServerFrame } from '../src/parse-server.js';
import { checkFields } from '../src/validate.js';

const ev = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  seq: 1,
  event_type: 'boot',
  event_description: 'd',
  timestamp: 1,
  ...over,
});
const events = (...list: unknown[]): string => JSON.stringify({ type: 'events', events: list });
const helloFrame = (over: Record<string, unknown> = {}, project: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'hello', v: 1, session: 'abcdefgh', project: { project_name: 'P', ...project }, ...over });
const code = (text: string): string | null => {
  const r = parseClientFrame(text);
  return r.ok ? null : r.code;
};
const nested = (depth: number): unknown => (depth === 0 ? 1 : { x: nested(depth - 1) });

describe('parseClientFrame', () => {
  it('parses each frame kind into its typed shape, with defaults', () => {
    expect(parseClientFrame(helloFrame())).toEqual({
      ok: true,
      value: {
        type: 'hello',
        v: 1,
        session: 'abcdefgh',
        sdk: 'unknown',
        host: '',
        pid: 0,
        dropped: 0,
        project: { project_name: 'P', project_market: '', project_description: '', project_privileges: [] },
      },
    });
    expect(parseClientFrame(events(ev()))).toEqual({
      ok: true,
      value: {
        type: 'events',
        events: [
          {
            ...ev(),
            fields_json: '{}',
            fields_text: null,
            event_type_json: '"boot"',
            event_description_json: '"d"',
            timestamp_json: '1',
          },
        ],
      },
    });
    expect(parseClientFrame('{"type":"dump","id":"r1"}')).toEqual({
      ok: true,
      value: { type: 'dump', id: 'r1', hours: 30, all: false, projects: [] },
    });
  });

  it('gives a stable code for each kind of bad frame', () => {
    expect(code('nope')).toBe('E_BAD_JSON');
    expect(code('[]')).toBe('E_BAD_FRAME');
    expect(code('{"type":"x"}')).toBe('E_UNKNOWN_TYPE');
    expect(code(helloFrame({ v: 2 }))).toBe('E_BAD_VERSION');
    expect(code(helloFrame({ dropped: -1 }))).toBe('E_BAD_HELLO');
    expect(code(events(ev({ seq: 0 })))).toBe('E_BAD_SEQ');
    expect(code(events(ev({ seq: 2 ** 53 })))).toBe('E_BAD_SEQ');
    expect(code(events(ev({ seq: 2 }), ev({ seq: 2 })))).toBe('E_BAD_SEQ');
    // The collector's own types and "" are a bot's to use too (collector records are told apart by source).
    expect(code(events(ev({ event_type: 'ic-audit.session' })))).toBeNull();
    expect(code(events(ev({ event_type: '' })))).toBeNull();
    expect(code(events(ev({ event_type: 7 })))).toBe('E_BAD_EVENT');
    expect(code(events(ev({ timestamp: -1 })))).toBe('E_BAD_EVENT');
    expect(code(events(ev({ fields: [] })))).toBe('E_BAD_EVENT');
    expect(code('{"type":"dump","hours":0}')).toBe('E_BAD_DUMP');
  });

  it('holds every limit at the edge and refuses one past it', () => {
    const edge: Array<[string, string]> = [
      [
        helloFrame({ session: 'a'.repeat(MIN_SESSION_LENGTH) }),
        helloFrame({ session: 'a'.repeat(MIN_SESSION_LENGTH - 1) }),
      ],
      [
        helloFrame({ session: 'a'.repeat(MAX_SESSION_LENGTH) }),
        helloFrame({ session: 'a'.repeat(MAX_SESSION_LENGTH + 1) }),
      ],
      [
        helloFrame({}, { project_name: 'p'.repeat(MAX_PROJECT_NAME_LENGTH) }),
        helloFrame({}, { project_name: 'p'.repeat(MAX_PROJECT_NAME_LENGTH + 1) }),
      ],
      [
        helloFrame({}, { project_privileges: Array(MAX_PRIVILEGES).fill('x') }),
        helloFrame({}, { project_privileges: Array(MAX_PRIVILEGES + 1).fill('x') }),
      ],
      [
        events(...Array.from({ length: MAX_EVENTS_PER_FRAME }, (_, i) => ev({ seq: i + 1 }))),
        events(...Array.from({ length: MAX_EVENTS_PER_FRAME + 1 }, (_, i) => ev({ seq: i + 1 }))),
      ],
      [
        events(ev({ event_type: 't'.repeat(MAX_EVENT_TYPE_LENGTH) })),
        events(ev({ event_type: 't'.repeat(MAX_EVENT_TYPE_LENGTH + 1) })),
      ],
      [
        events(ev({ event_description: 'd'.repeat(MAX_DESCRIPTION_LENGTH) })),
        events(ev({ event_description: 'd'.repeat(MAX_DESCRIPTION_LENGTH + 1) })),
      ],
    ];
    for (const [ok, bad] of edge) {
      expect(code(ok), ok.slice(0, 60)).toBeNull();
      expect(code(bad), bad.slice(0, 60)).not.toBeNull();
    }
  });
});

describe('checkFields', () => {
  it('holds each field limit at the edge and names the rule past it', () => {
    const many = (n: number): Record<string, number> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(checkFields(many(MAX_FIELDS_PER_EVENT))).toBeNull();
    expect(checkFields(many(MAX_FIELDS_PER_EVENT + 1))).toMatch(new RegExp(`more than ${MAX_FIELDS_PER_EVENT} fields`));
    expect(checkFields({ ['k'.repeat(MAX_FIELD_KEY_LENGTH)]: 1 })).toBeNull();
    expect(checkFields({ ['k'.repeat(MAX_FIELD_KEY_LENGTH + 1)]: 1 })).toMatch(/field name longer/);
    expect(checkFields({ s: 's'.repeat(MAX_FIELD_STRING_LENGTH) })).toBeNull();
    expect(checkFields({ s: 's'.repeat(MAX_FIELD_STRING_LENGTH + 1) })).toMatch(/string in fields/);
    expect(checkFields({ n: nested(MAX_FIELD_DEPTH - 1) })).toBeNull();
    expect(checkFields({ n: nested(MAX_FIELD_DEPTH) })).toMatch(/nested deeper/);
    const big = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [`k${i}`, 's'.repeat(MAX_FIELD_STRING_LENGTH - 10)]),
    );
    expect(checkFields(big)).toMatch(/longer than 32768/);
    expect(JSON.stringify(big).length).toBeGreaterThan(MAX_FIELDS_JSON_LENGTH);
    expect(checkFields(JSON.parse('{"__proto__":{"x":1}}'))).toMatch(/__proto__/);
    expect(checkFields({ a: [1, 'x', null, true, { b: [] }] })).toBeNull();
  });
});

describe('parseFlatEvent', () => {
  it("turns every non-seed key into a field and accepts the Python tool's [None] privileges", () => {
    const r = parseFlatEvent(
      {
        project_name: 'P',
        project_privileges: [null],
        event_type: 'x',
        event_description: 'd',
        timestamp: 5,
        symbol: 'EURUSD',
      },
      9,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        project_name: 'P',
        project_market: '',
        project_description: '',
        project_privileges: [null],
        event_type: 'x',
        event_description: 'd',
        timestamp: 5,
        fields: { project_privileges: [null], symbol: 'EURUSD' },
        fields_json: '{"project_privileges":[null],"symbol":"EURUSD"}',
        fields_text: null,
        layout: [2, 3, 4, 0],
      },
    });
    const t = parseFlatEvent({ project_name: 'P', event_type: 'x' }, 9);
    expect(t.ok && t.value.timestamp).toBe(9);
    expect(parseFlatEvent({ event_type: 'x' }, 9)).toMatchObject({ ok: false, code: 'E_BAD_EVENT' });
  });
});

describe('parseServerFrame', () => {
  it('reads every server frame kind', () => {
    expect(parseServerFrame('{"type":"welcome","v":1,"session":"s","acked":3}')).toMatchObject({
      ok: true,
      value: { acked: 3 },
    });
    expect(parseServerFrame('{"type":"ack","seq":9}')).toEqual({ ok: true, value: { type: 'ack', seq: 9 } });
    expect(parseServerFrame('{"type":"error","code":"E_X","message":"m","id":"r"}')).toMatchObject({
      ok: true,
      value: { id: 'r' },
    });
    expect(parseServerFrame('{"type":"ack","seq":"9"}')).toMatchObject({ ok: false, code: 'E_BAD_FRAME' });
  });
});

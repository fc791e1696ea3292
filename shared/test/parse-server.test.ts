/** Frames the collector sends on /ingest, as a client reads them: each kind, its coercions, and what is refused. */
import { describe, expect, it } from 'vitest';
import { parseServerFrame } from '../src/parse-server.js';

describe('parseServerFrame', () => {
  it('welcome: a session and a safe-integer ack count', () => {
    expect(parseServerFrame('{"type":"welcome","v":1,"session":"s-1","acked":0,"extra":true}')).toEqual({
      ok: true,
      value: { type: 'welcome', v: 1, session: 's-1', acked: 0 },
    });
    for (const bad of [
      '{"type":"welcome","session":1,"acked":0}',
      '{"type":"welcome","session":"s"}',
      '{"type":"welcome","session":"s","acked":1.5}',
      `{"type":"welcome","session":"s","acked":${2 ** 53}}`,
    ]) {
      expect(parseServerFrame(bad)).toEqual({ ok: false, code: 'E_BAD_FRAME', message: 'bad welcome' });
    }
  });

  it('ack: a safe-integer seq only', () => {
    expect(parseServerFrame('{"type":"ack","seq":9007199254740991}')).toEqual({
      ok: true,
      value: { type: 'ack', seq: Number.MAX_SAFE_INTEGER },
    });
    for (const seq of ['"1"', '1.5', 'null', '9007199254740992']) {
      expect(parseServerFrame(`{"type":"ack","seq":${seq}}`)).toEqual({
        ok: false,
        code: 'E_BAD_FRAME',
        message: 'bad ack',
      });
    }
  });

  it('dumped: a path is required; id and counts default to empty and zero', () => {
    expect(parseServerFrame('{"type":"dumped","path":"/d/x.json"}')).toEqual({
      ok: true,
      value: { type: 'dumped', id: '', path: '/d/x.json', projects: 0, events: 0 },
    });
    expect(parseServerFrame('{"type":"dumped","id":"r1","path":"p","projects":2,"events":"7"}')).toEqual({
      ok: true,
      value: { type: 'dumped', id: 'r1', path: 'p', projects: 2, events: 7 },
    });
    expect(parseServerFrame('{"type":"dumped","path":null}')).toMatchObject({ ok: false, message: 'bad dumped' });
  });

  it('error: code and message as strings; the id only when it is one', () => {
    expect(parseServerFrame('{"type":"error"}')).toEqual({ ok: true, value: { type: 'error', code: '', message: '' } });
    expect(parseServerFrame('{"type":"error","code":42,"message":"m","id":7}')).toEqual({
      ok: true,
      value: { type: 'error', code: '42', message: 'm' },
    });
    expect(parseServerFrame('{"type":"error","code":"E_STORAGE","message":"m","id":"r"}')).toEqual({
      ok: true,
      value: { type: 'error', code: 'E_STORAGE', message: 'm', id: 'r' },
    });
  });

  it('refuses text that is not JSON, a frame that is not an object, and unknown kinds', () => {
    expect(parseServerFrame('{"type":')).toEqual({ ok: false, code: 'E_BAD_JSON', message: 'frame is not valid JSON' });
    for (const text of ['[]', 'null', '"ack"', '3']) {
      expect(parseServerFrame(text)).toEqual({
        ok: false,
        code: 'E_BAD_FRAME',
        message: 'frame must be a JSON object',
      });
    }
    for (const text of ['{}', '{"type":"hello"}', '{"type":"ACK","seq":1}']) {
      expect(parseServerFrame(text)).toEqual({
        ok: false,
        code: 'E_UNKNOWN_TYPE',
        message: 'unknown server frame type',
      });
    }
  });
});

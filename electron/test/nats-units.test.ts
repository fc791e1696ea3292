// Pure parts of NATS mode (no server needed): subject encoding, message ids, settings, duplicate tracking.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/settings/config.js';
import { batchMessageId, legacyMessageId } from '../src/nats/stream-message.js';
import { SeenSet } from '../src/nats/seen-set.js';
import { decodeSubjectToken, encodeSubjectToken, subjectFor } from '../src/nats/stream-settings.js';

describe('NATS mode, pure parts', () => {
  it('encodes any project name as one safe, reversible subject token', () => {
    for (const name of ['MyTradingBot', 'Desk.1 €', 'a*b>c', 'x%y', '日本', 'under_score-dash']) {
      const token = encodeSubjectToken(name);
      expect(token).toMatch(/^[A-Za-z0-9_%-]+$/);
      expect(decodeSubjectToken(token)).toBe(name);
    }
    expect(subjectFor('Desk.1')).toBe('ic-audit.events.Desk%2E1');
    expect(subjectFor('Desk', 'R1')).toBe('ic-audit.R1.events.Desk');
  });

  it('message ids: <collector>:<first>-<last> per batch; the old format was <session>:<seq> or <collector>:<id>', () => {
    expect(batchMessageId('c-1', 101, 250)).toBe('c-1:101-250');
    const base = {
      id: 7,
      received_at: 1,
      session: 's1',
      seq: 3,
      source: 'ws',
      project_name: 'P',
      event_type: 't',
      event_description: '',
      timestamp: 1,
      fields: {},
      prev_hash: '',
      hash: '',
      fields_raw: '{}',
    } as const;
    expect(legacyMessageId({ ...base }, 'c-1')).toBe('s1:3');
    expect(legacyMessageId({ ...base, seq: 0 }, 'c-1')).toBe('c-1:7');
    expect(legacyMessageId({ ...base, source: 'http' }, 'c-1')).toBe('c-1:7');
  });

  it('config: NATS off by default; --console-only needs --nats; bad values are refused', () => {
    const local = resolveConfig({}, {});
    expect(local.nats).toBeNull();
    expect(local.consoleOnly).toBe(false);
    const n = resolveConfig({ nats: 'nats://127.0.0.1:4222, nats://127.0.0.1:4223' }, {});
    expect(n.nats).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223'],
      creds: null,
      ca: null,
      stream: 'IC_AUDIT',
      replicas: 3,
    });
    expect(resolveConfig({}, { IC_AUDIT_NATS: 'nats://h:1', IC_AUDIT_CONSOLE_ONLY: '1' }).consoleOnly).toBe(true);
    expect(() => resolveConfig({ consoleOnly: true }, {})).toThrow(/--nats/);
    expect(() => resolveConfig({ nats: 'nats://h:1', natsReplicas: '7' }, {})).toThrow(/replicas/);
    expect(() => resolveConfig({ nats: 'nats://h:1', natsStream: 'a.b' }, {})).toThrow(/stream/);
  });

  it('SeenSet drops repeats, in or out of order, with a compact low-water mark', () => {
    const s = new SeenSet(5);
    expect([5, 6, 8, 7, 6, 8, 9, 4].map((n) => s.add(n))).toEqual([true, true, true, true, false, false, true, false]);
  });
});

/** The session table on its own: hellos, replay from journal records, checkpoint round trip, public view. */
import { describe, expect, it } from 'vitest';
import type { ProjectInfo, ScannedRecord } from '@ic-audit/shared';
import { projectChanged, SessionTable, syntheticSessionId, type HelloMeta } from '../src/read-model/sessions.js';

const P: ProjectInfo = {
  project_name: 'Bot',
  project_market: 'FX',
  project_description: 'd',
  project_privileges: ['a'],
};
const META: HelloMeta = { source: 'ws', sdk: 'sdk/1', host: 'h', pid: 7, dropped: 0 };

/** A journal record as the scanner hands it to replay (only what the table reads). */
function rec(r: Partial<ScannedRecord>): ScannedRecord {
  return {
    id: 1,
    received_at: 100,
    session: 's-00000001',
    seq: 0,
    source: 'ws',
    project_name: 'Bot',
    event_type: 'trade',
    event_description: '',
    timestamp: 99.5,
    fields: {},
    ...r,
  } as ScannedRecord;
}

describe('SessionTable', () => {
  it('declares a session once; a hello with the same metadata is no change, a new market or dropped count is', () => {
    const t = new SessionTable();
    expect(t.declare('s-00000001', P, META, 1).changed).toBe(true);
    expect(t.declare('s-00000001', { ...P }, META, 2).changed).toBe(false);
    expect(t.declare('s-00000001', { ...P, project_market: 'EQ' }, META, 3).changed).toBe(true);
    expect(t.declare('s-00000001', { ...P, project_market: 'EQ' }, { ...META, dropped: 4 }, 4).changed).toBe(true);
    expect(t.get('s-00000001')).toMatchObject({ dropped: 4, last_seen: 4, started_at: 1 });
    expect(t.all()).toHaveLength(1);
  });

  it('lists only projects with bot events, in first-seen order', () => {
    const t = new SessionTable();
    const b = t.declare('s-b', { ...P, project_name: 'B' }, META, 1).state;
    t.declare('s-c', { ...P, project_name: 'C' }, META, 1); // declared, never sent an event
    const a = t.declare('s-a', { ...P, project_name: 'A' }, META, 1).state;
    t.noteEvent(a, 'trade', 1, 2);
    t.noteEvent(b, 'error', 1, 2);
    expect(t.projectNames()).toEqual(['B', 'A']);
    expect(b.errors).toBe(1);
  });

  it('rebuilds counts, seqs, gaps and refusals from replayed records', () => {
    const t = new SessionTable();
    t.replay(
      rec({
        source: 'collector',
        event_type: 'ic-audit.session',
        fields: { project_market: 'FX', project_privileges: ['a'], source: 'ws', sdk: 'x', pid: 3, dropped: 2 },
      }),
    );
    t.replay(rec({ seq: 1 }));
    t.replay(rec({ seq: 5, event_type: 'error' }));
    t.replay(rec({ source: 'collector', event_type: 'ic-audit.gap', fields: { missing: 3 } }));
    t.replay(rec({ source: 'collector', event_type: 'ic-audit.refused' }));
    t.replay(rec({ session: 'unknown-session', seq: 9 })); // no session record: ignored
    expect(t.view(t.get('s-00000001')!)).toMatchObject({
      events: 2,
      errors: 1,
      last_seq: 5,
      acked: 5,
      gaps: 1,
      missing: 3,
      refused: 1,
      dropped: 2,
      pid: 3,
      connected: false,
    });
    expect(t.get('unknown-session')).toBeUndefined();
  });

  it('survives a checkpoint round trip, disconnected and with its caches rebuilt', () => {
    const t = new SessionTable();
    const s = t.declare('s-00000001', P, META, 1).state;
    s.connected = true;
    t.noteEvent(s, 'trade', 10, 10.25);
    const snap = JSON.parse(JSON.stringify(t.snapshot())) as ReturnType<SessionTable['snapshot']>;
    expect(snap[0]).not.toHaveProperty('sessionJson');
    const back = new SessionTable();
    back.restore(snap);
    const r = back.get('s-00000001')!;
    expect(r.connected).toBe(false);
    expect(r.sessionJson).toBe('"s-00000001"');
    expect(back.view(r)).toEqual({ ...t.view(s), connected: false });
    expect(back.project('Bot')).toEqual(P);
  });

  it('reports the median clock offset of the recent samples', () => {
    const t = new SessionTable();
    const s = t.declare('s-00000001', P, META, 0).state;
    for (const off of [0.1, 5, 0.2, 0.3, -2]) t.noteEvent(s, 'trade', 100, 100 + off);
    expect(t.view(s).clock_offset).toBeCloseTo(0.2, 6);
  });
});

describe('session helpers', () => {
  it('synthetic ids are stable per key and differ across keys and kinds', () => {
    expect(syntheticSessionId('http', 'k')).toBe(syntheticSessionId('http', 'k'));
    expect(syntheticSessionId('http', 'k')).not.toBe(syntheticSessionId('legacy', 'k'));
    expect(syntheticSessionId('http', 'k')).toMatch(/^http_[0-9a-f]{24}$/);
  });
  it('projectChanged sees every field a dump shows, privileges in order', () => {
    expect(projectChanged(P, { ...P })).toBe(false);
    expect(projectChanged(P, { ...P, project_description: 'x' })).toBe(true);
    expect(projectChanged(P, { ...P, project_privileges: ['a', 'b'] })).toBe(true);
    expect(projectChanged({ ...P, project_privileges: ['a', 'b'] }, { ...P, project_privileges: ['b', 'a'] })).toBe(
      true,
    );
  });
});

/** The sidebar's project summaries: sessions grouped by project, status, 30-hour counts, totals and the latest session. */
import { describe, expect, it } from 'vitest';
import type { SessionInfo } from '@ic-audit/shared';
import { summarizeProjects } from '../src/lib/project-stats.js';

const NOW = 1_800_000_000;
const SILENT = 60;
const H30 = 30 * 3600;

let n = 0;
function session(project: string, patch: Partial<SessionInfo> = {}, market = 'FX'): SessionInfo {
  return {
    session: `s-${++n}`,
    project: {
      project_name: project,
      project_market: market,
      project_description: `${project} bot`,
      project_privileges: [null, 'trade'],
    },
    source: 'ws',
    sdk: 'ts',
    host: 'h',
    pid: 1,
    connected: true,
    last_seen: NOW,
    started_at: NOW - 100,
    events: 10,
    errors: 1,
    last_seq: 10,
    acked: 10,
    gaps: 0,
    missing: 0,
    dropped: 0,
    refused: 0,
    clock_offset: 0.01,
    ...patch,
  };
}

describe('summarizeProjects', () => {
  it('nothing in, nothing out', () => {
    expect(summarizeProjects([], NOW, SILENT)).toEqual([]);
  });

  it('one summary per project, sorted by name; metadata and clock offset from the most recently seen session', () => {
    const out = summarizeProjects(
      [
        session('beta'),
        session('Alpha', { last_seen: NOW - 10, clock_offset: 0.5 }, 'old market'),
        session('Alpha', { last_seen: NOW - 5, clock_offset: -0.2 }, 'EQ'),
        session('Alpha', { last_seen: NOW - 7, clock_offset: 9 }, 'older'),
      ],
      NOW,
      SILENT,
    );
    expect(out.map((p) => p.name)).toEqual(['Alpha', 'beta']);
    expect(out[0]).toMatchObject({
      market: 'EQ',
      description: 'Alpha bot',
      privileges: ['trade'],
      lastSeen: NOW - 5,
      clockOffset: -0.2,
      connected: 3,
    });
  });

  it('connected while a connected session was heard within the silence limit; silent past it; else disconnected', () => {
    const status = (sessions: SessionInfo[]): string => summarizeProjects(sessions, NOW, SILENT)[0]!.status;
    expect(status([session('p', { last_seen: NOW - SILENT })])).toBe('connected');
    expect(status([session('p', { last_seen: NOW - SILENT - 1 })])).toBe('silent');
    expect(status([session('p', { last_seen: NOW - SILENT - 1 }), session('p', { last_seen: NOW - 1 })])).toBe(
      'connected',
    );
    // A disconnected session heard a moment ago does not make the project connected.
    expect(status([session('p', { connected: false }), session('p', { last_seen: NOW - 999 })])).toBe('silent');
    expect(status([session('p', { connected: false }), session('p', { connected: false })])).toBe('disconnected');
  });

  it('events and errors count sessions seen in the last 30 hours (the edge included); losses count every session', () => {
    const [p] = summarizeProjects(
      [
        session('p', { last_seen: NOW - H30, events: 5, errors: 2, dropped: 1, gaps: 1, missing: 4 }),
        session('p', { last_seen: NOW - H30 - 1, events: 100, errors: 50, dropped: 2, gaps: 2, missing: 6 }),
        session('p', { events: 7, errors: 0, connected: false }),
      ],
      NOW,
      SILENT,
    );
    expect(p).toMatchObject({ events30h: 12, errors30h: 2, dropped: 3, gaps: 3, missing: 10, connected: 2 });
  });

  it('takes any iterable of sessions (a Map of them, as the store keeps them)', () => {
    const byId = new Map([
      ['a', session('p')],
      ['b', session('q')],
    ]);
    expect(summarizeProjects(byId.values(), NOW, SILENT).map((p) => p.name)).toEqual(['p', 'q']);
  });
});

import { useMemo } from 'react';
import { summarizeProjects, type ProjectSummary } from '../lib/project-stats.js';
import { useStore } from '../store/store.js';
import { useCollectorNow } from './use-now.js';

/**
 * Project summaries, recomputed when sessions change, with every row flush (counts come from the rows: see
 * store/counts-slice.ts) and once per second (ages, silent status). While the console has no connection nobody
 * knows whether a bot is connected, so every status reads `unknown` rather than blaming the bots.
 */
export function useProjects(): ProjectSummary[] {
  const sessions = useStore((s) => s.sessions);
  const silentAfter = useStore((s) => s.silentAfter);
  const tally = useStore((s) => s.tally);
  const rowsVersion = useStore((s) => s.rowsVersion);
  const offline = useStore((s) => s.link !== 'live');
  const now = useCollectorNow();
  return useMemo(() => {
    void rowsVersion;
    const list = summarizeProjects(
      [...sessions.values()].map((s) => tally.apply(s)),
      now,
      silentAfter,
    );
    return offline ? list.map((p) => ({ ...p, status: 'unknown' as const })) : list;
  }, [sessions, now, silentAfter, tally, rowsVersion, offline]);
}

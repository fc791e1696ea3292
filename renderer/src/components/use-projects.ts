import { useMemo } from 'react';
import { summarizeProjects, type ProjectSummary } from '../lib/project-stats.js';
import { useStore } from '../store/store.js';
import { useCollectorNow } from './use-now.js';

/** Project summaries, recomputed when sessions change and once per second (ages, silent status). */
export function useProjects(): ProjectSummary[] {
  const sessions = useStore((s) => s.sessions);
  const silentAfter = useStore((s) => s.silentAfter);
  const now = useCollectorNow();
  return useMemo(() => summarizeProjects(sessions.values(), now, silentAfter), [sessions, now, silentAfter]);
}

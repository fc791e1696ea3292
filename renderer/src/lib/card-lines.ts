import type { ProjectLive } from '../store/types.js';
import type { Row } from './row.js';

/** What an overview card lists. */
export interface CardLines {
  /** The project's newest error, kept on the card however many events follow it (until a newer error). */
  pinned: Row | null;
  /** Newest event rows, oldest first, without the pinned error (it has its own line). */
  tail: Row[];
  /** The collector's own records folded into one line: how many, and the newest. */
  system: { count: number; last: Row } | null;
}

/**
 * Lines of a project's card: the pinned error, then up to `length` newest events, then one line for the
 * collector's records (session declared, gaps) so they never crowd out the bot's events.
 */
export function cardLines(live: ProjectLive | undefined, length: number): CardLines {
  if (live === undefined) return { pinned: null, tail: [], system: null };
  const pinned = live.lastError;
  const tail = live.tail.filter((r) => r !== pinned).slice(-(pinned === null ? length : length - 1));
  const system = live.lastSystem === null ? null : { count: live.systemCount, last: live.lastSystem };
  return { pinned, tail, system };
}

import { ProjectEvents, type SessionInfo } from '@ic-audit/shared';
import type { Row } from './row.js';

interface Count {
  events: number;
  errors: number;
  /** Highest seq these counts cover. */
  seq: number;
}

/**
 * Event and error counts kept in step with the rows the console holds, so the header, sidebar and cards never
 * show more (or fewer) events than the table.
 *
 * The collector counts an event when it accepts it, before it is durable, and pushes its counters only with the
 * 2-second health tick, while rows arrive once durable, every frame. So the counts start from the snapshot (which
 * covers every seq up to each session's `last_seq`) and then grow with each row that joins the ring; a session's
 * seq rises with every event, so a row at or below the covered seq is never counted twice. When a later session
 * push says the collector stands exactly where the rows do, its numbers are taken as they are.
 */
export class EventTally {
  private readonly bySession = new Map<string, Count>();
  /** All events, as far as rows have arrived (the header's count). */
  total = 0;

  /** Starts over from a snapshot's sessions and total event count. */
  rebase(sessions: readonly SessionInfo[], total: number): void {
    this.bySession.clear();
    for (const s of sessions) this.bySession.set(s.session, { events: s.events, errors: s.errors, seq: s.last_seq });
    this.total = total;
  }

  /** Counts a row that just joined the ring (the collector's own records are no events). */
  count(row: Row): void {
    if (row.system) return;
    let c = this.bySession.get(row.session);
    if (c === undefined) {
      c = { events: 0, errors: 0, seq: 0 };
      this.bySession.set(row.session, c);
    }
    if (row.seq <= c.seq) return;
    c.seq = row.seq;
    c.events++;
    if (row.type === ProjectEvents.ERROR) c.errors++;
    this.total++;
  }

  /** Takes the collector's counts for sessions whose rows have all arrived (heals any drift). */
  adopt(sessions: readonly SessionInfo[]): void {
    for (const s of sessions) {
      const c = this.bySession.get(s.session);
      if (c === undefined || c.seq !== s.last_seq) continue;
      this.total += s.events - c.events;
      c.events = s.events;
      c.errors = s.errors;
    }
  }

  /** The session as the console shows it: the collector's facts with counts that match the rows. */
  apply(s: SessionInfo): SessionInfo {
    const c = this.bySession.get(s.session);
    const events = c?.events ?? 0;
    const errors = c?.errors ?? 0;
    return s.events === events && s.errors === errors ? s : { ...s, events, errors };
  }
}

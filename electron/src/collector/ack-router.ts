import type { SessionTable } from '../read-model/sessions.js';
import type { AckSink } from './api.js';

/** Routes acks to each session's current connection (a reconnect replaces the sink; the old one gets nothing). */
export class AckRouter {
  private readonly sinks = new Map<string, AckSink>();

  /** `sink` is now the session's connection. */
  attach(session: string, sink: AckSink): void {
    this.sinks.set(session, sink);
  }

  /** Forgets `sink` if it is still the session's connection; false when a newer one owns the session. */
  detach(session: string, sink: AckSink): boolean {
    if (this.sinks.get(session) !== sink) return false;
    this.sinks.delete(session);
    return true;
  }

  /** Acks `seq` again to the session's connection (a resent frame that was already durable). */
  reack(session: string, seq: number): void {
    this.sinks.get(session)?.ack(seq);
  }

  /** Records each session's highest durable seq as acked and tells its connection. */
  send(acks: ReadonlyMap<string, number>, table: SessionTable): void {
    for (const [session, seq] of acks) {
      const state = table.get(session);
      if (state !== undefined && seq > state.acked) state.acked = seq;
      this.sinks.get(session)?.ack(seq);
    }
  }
}

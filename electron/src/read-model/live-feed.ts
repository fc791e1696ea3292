import type { JournalRecord, SessionInfo } from '@ic-audit/shared';

type RecordsListener = (records: readonly JournalRecord[]) => void;
type SessionListener = (session: SessionInfo) => void;

/** The live side of a read model: who wants new records and session changes (consoles, the NATS presence). */
export class LiveFeed {
  private readonly records = new Set<RecordsListener>();
  private readonly sessions = new Set<SessionListener>();

  /** True when someone listens for records (so the producer can skip building them). */
  get wantsRecords(): boolean {
    return this.records.size > 0;
  }

  /** Adds a records listener; returns its unsubscribe function. */
  onRecords(listener: RecordsListener): () => void {
    this.records.add(listener);
    return () => this.records.delete(listener);
  }

  /** Adds a session listener; returns its unsubscribe function. */
  onSession(listener: SessionListener): () => void {
    this.sessions.add(listener);
    return () => this.sessions.delete(listener);
  }

  /** Hands a durable batch, in id order, to every records listener. */
  emitRecords(records: readonly JournalRecord[]): void {
    for (const l of this.records) l(records);
  }

  /** Hands a session's new state to every session listener. */
  emitSession(session: SessionInfo): void {
    for (const l of this.sessions) l(session);
  }
}

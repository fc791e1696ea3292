import type { JournalRecord } from '@ic-audit/shared';

/**
 * Where committed journal records are copied before they are acked (NATS JetStream in NATS mode, see
 * electron/src/nats/stream-publisher.ts). Without one the collector acks as soon as the journal is durable.
 */
export interface Replicator {
  /**
   * Takes records just made durable by the journal, in id order. Resolves once they, and every batch handed over
   * before them, are replicated; it never rejects (failures are retried until {@link close}).
   */
  replicate(records: readonly JournalRecord[]): Promise<void>;
  /** Records handed over and not replicated yet (counts toward the collector's backpressure limit). */
  readonly pendingCount: number;
  /** Why replication is stalled right now, or null. */
  readonly fault: string | null;
  /** Resolves once everything handed over so far is replicated (or the replicator is closed). */
  drain(): Promise<void>;
  /** Waits (bounded) for pending replication, then disconnects. */
  close(): Promise<void>;
}

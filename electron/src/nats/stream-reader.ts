import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
} from 'nats';
import { decodeMessage, type StreamRecord, type UnreadableHandler } from './stream-message.js';

/** Where a read starts: a time (the stream's own arrival time) or a stream sequence; neither: the beginning. */
export interface StreamStart {
  time?: Date;
  seq?: number;
}

function deliverFrom(start: StreamStart): {
  deliver_policy: DeliverPolicy;
  opt_start_time?: string;
  opt_start_seq?: number;
} {
  if (start.seq !== undefined)
    return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, start.seq) };
  if (start.time !== undefined)
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time.toISOString() };
  return { deliver_policy: DeliverPolicy.All };
}

/**
 * Reads every message the stream holds from `start` up to the newest one at the time of the call, in stream
 * order, then stops (an ephemeral consumer that knows how many messages are pending); each record of a batch
 * message is handed over on its own. `onRecord` returning false stops early; a message that cannot be read goes to
 * `onUnreadable`. Used by queries past the memory window, dumps and verify.
 */
export async function scanStream(
  jsm: JetStreamManager,
  js: JetStreamClient,
  stream: string,
  start: StreamStart,
  onRecord: (r: StreamRecord) => boolean | void | Promise<boolean | void>,
  onUnreadable?: UnreadableHandler,
): Promise<void> {
  const info = await jsm.consumers.add(stream, {
    ...deliverFrom(start),
    ack_policy: AckPolicy.None,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: nanos(30_000),
  });
  let left = info.num_pending;
  if (left === 0) {
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
    return;
  }
  const consumer = await js.consumers.get(stream, info.name);
  const messages = await consumer.consume({ max_messages: 1_000, expires: 5_000 });
  try {
    for await (const m of messages) {
      left--;
      let stop = false;
      for (const r of decodeMessage(m, onUnreadable)) {
        let verdict = onRecord(r);
        if (verdict instanceof Promise) verdict = await verdict;
        if ((stop = verdict === false)) break;
      }
      if (stop || left <= 0) break;
    }
  } finally {
    messages.stop();
    await jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}

/** A live read of the stream. */
export interface StreamFollower {
  /** Stops reading. */
  stop(): Promise<void>;
}

/**
 * Follows the stream from `start` (replay, then live) with an ordered consumer: in order, no acks, and recreated
 * from the last delivered sequence whenever its server goes away. Messages are handed over in batches, each as
 * soon as the consumer has nothing more buffered (about `maxBatch` records per call; batch messages unpacked).
 */
export async function followStream(
  js: JetStreamClient,
  stream: string,
  start: StreamStart,
  onBatch: (batch: StreamRecord[], caughtUp: boolean) => void,
  onUnreadable?: UnreadableHandler,
  maxBatch = 2_000,
): Promise<StreamFollower> {
  const consumer = await js.consumers.get(stream, deliverFrom(start));
  let messages: ConsumerMessages | null = await consumer.consume({
    max_messages: 2_000,
    expires: 4_000,
    idle_heartbeat: 1_000,
  });
  let batch: StreamRecord[] = [];
  let scheduled = false;
  let caughtUp = false;
  const flush = (): void => {
    scheduled = false;
    if (batch.length === 0) return;
    const out = batch;
    batch = [];
    onBatch(out, caughtUp);
  };
  const done = (async () => {
    for await (const m of messages) {
      const records = decodeMessage(m, onUnreadable);
      if (m.info.pending === 0) caughtUp = true;
      if (records.length === 0) continue;
      for (const r of records) batch.push(r);
      if (batch.length >= maxBatch) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    }
  })().catch((err: Error) => process.stderr.write(`ic-audit: NATS stream read stopped: ${err.message}\n`));
  return {
    stop: async () => {
      messages?.stop();
      messages = null;
      await done;
      flush();
    },
  };
}

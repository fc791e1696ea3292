import { parseRecordLine, recordLine as sharedRecordLine, splitRecordLine, type JournalRecord } from '@ic-audit/shared';
import type { JsMsg } from 'nats';
import type { CommittedLines } from '../collector/api.js';
import { sha256 } from '../journal/hash.js';
import { batchPayload, compressBatch } from './batch-encoding.js';

/** Header naming the collector (writer) whose journal a message comes from. */
export const COLLECTOR_HEADER = 'Ic-Audit-Collector';
/** Header of a batch message: `<first>-<last>`, the writer's journal ids it carries (informative; see the payload). */
export const IDS_HEADER = 'Ic-Audit-Ids';

/**
 * Console record ids are `stream sequence × ID_SPAN + position in the message`: unique across writers, rising in
 * stream order, and the stream sequence stays readable (`id / 10,000`). A message never carries ID_SPAN records.
 */
export const ID_SPAN = 10_000;
/** Most records in one batch message. */
export const MAX_BATCH_RECORDS = 4_096;
/** Bytes kept free below the server's max_payload for headers and protocol. */
const PAYLOAD_HEADROOM = 4_096;

/** The byte budget of one message's payload on a server whose max_payload is `maxPayload` (default 1 MiB). */
export function batchByteLimit(maxPayload = 1 << 20): number {
  return Math.max(PAYLOAD_HEADROOM, maxPayload - PAYLOAD_HEADROOM);
}

/**
 * JetStream message id of a batch: `<collector>:<first journal id>-<last journal id>`. A resend carries the same
 * boundaries (the publisher keeps them, and logs them across restarts: publish-log.ts), so JetStream stores it once.
 */
export function batchMessageId(collector: string, first: number, last: number): string {
  return `${collector}:${first}-${last}`;
}

/**
 * Message id of the previous format (one record per message): `<session>:<seq>` for a bot's WebSocket event,
 * `<collector>:<journal id>` for everything else. No longer published; kept to document (and test) old streams.
 */
export function legacyMessageId(record: JournalRecord, collector: string): string {
  return record.seq > 0 && record.source === 'ws' ? `${record.session}:${record.seq}` : `${collector}:${record.id}`;
}

/** The exact journal line of a record (byte for byte what the journal wrote, so its hash verifies). */
export const recordLine = sharedRecordLine;

/** One message's worth of consecutive records: one project (one subject), within the count and byte limits. */
export interface Chunk {
  first: number;
  last: number;
  project: string;
  /** Records it carries. */
  count: number;
  /**
   * The payload: the records' exact journal lines in id order, joined by newlines; compressed when `encoding` says so
   * (batch-encoding.ts).
   */
  payload: Buffer;
  /** `Ic-Audit-Encoding` of the payload, null for plain lines. */
  encoding: string | null;
  /** received_at of the last record (the publish cursor keeps it). */
  lastReceivedAt: number;
}

/** Limits of one batch message. */
export interface ChunkLimits {
  maxRecords: number;
  maxBytes: number;
}

/**
 * Where to cut `n` consecutive records (rising ids) into batch messages: a new chunk at each change of project (each
 * message stays on its project's subject), at `maxRecords`, and before `maxBytes` would be passed (a single longer
 * line still goes alone). Returns each chunk's end index (exclusive). Pure: the same records give the same cuts.
 */
export function chunkEnds(
  n: number,
  projectAt: (i: number) => string,
  bytesAt: (i: number) => number,
  limits: ChunkLimits,
): number[] {
  const ends: number[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const size = bytesAt(i);
    if (
      i > start &&
      (projectAt(i) !== projectAt(start) || i - start >= limits.maxRecords || bytes + 1 + size > limits.maxBytes)
    ) {
      ends.push(i);
      start = i;
      bytes = size;
    } else bytes = i === start ? size : bytes + 1 + size;
  }
  if (n > 0) ends.push(n);
  return ends;
}

/**
 * Cuts consecutive records into batch messages ({@link chunkEnds}), each with its lines (compressed when `compress`
 * and smaller so: {@link compressBatch}).
 */
export function chunkRecords(records: readonly JournalRecord[], limits: ChunkLimits, compress = false): Chunk[] {
  const lines = records.map((r) => recordLine(r));
  const out: Chunk[] = [];
  let start = 0;
  for (const end of chunkEnds(
    records.length,
    (i) => records[i]!.project_name,
    (i) => Buffer.byteLength(lines[i]!, 'utf8'),
    limits,
  )) {
    out.push({
      first: records[start]!.id,
      last: records[end - 1]!.id,
      project: records[start]!.project_name,
      count: end - start,
      ...encodedChunk(encodeBatch(lines.slice(start, end)), compress),
      lastReceivedAt: records[end - 1]!.received_at,
    });
    start = end;
  }
  return out;
}

/**
 * Cuts a group commit into batch messages straight from the journal's bytes (no record objects, no re-encoding):
 * the same cuts as {@link chunkRecords} would make from its records.
 */
export function chunkCommit(batch: CommittedLines, limits: ChunkLimits, compress = false): Chunk[] {
  const { entries, ends, firstId } = batch;
  if (entries.length === 0) return [];
  // The journal reuses its buffer: plain, one copy of the commit's lines, each payload a view of it; compressed, each
  // chunk is compressed straight from the journal's bytes and only the plain leftovers (small ones) are copied.
  const whole = batch.bytes.subarray(0, ends[entries.length - 1]);
  const bytes = compress ? whole : Buffer.from(whole);
  const startOf = (i: number): number => (i === 0 ? 0 : ends[i - 1]! + 1);
  const out: Chunk[] = [];
  let start = 0;
  for (const end of chunkEnds(
    entries.length,
    (i) => entries[i]!.projectName,
    (i) => ends[i]! - startOf(i),
    limits,
  )) {
    out.push({
      first: firstId + start,
      last: firstId + end - 1,
      project: entries[start]!.projectName,
      count: end - start,
      ...encodedChunk(bytes.subarray(startOf(start), ends[end - 1]), compress, bytes === whole, true),
      lastReceivedAt: entries[end - 1]!.receivedAt,
    });
    start = end;
  }
  return out;
}

/**
 * A chunk's payload and encoding from its plain `lines`; `borrowed`: `lines` is memory the caller reuses (copied);
 * `sealedHere`: a group commit's lines as the journal just sealed them (see seal-split.ts `splitSeals`).
 */
export function encodedChunk(
  lines: Buffer,
  compress: boolean,
  borrowed = false,
  sealedHere = false,
): Pick<Chunk, 'payload' | 'encoding'> {
  if (!compress) return { payload: lines, encoding: null };
  const out = compressBatch(lines, sealedHere);
  return out.encoding === null && borrowed ? { payload: Buffer.from(lines), encoding: null } : out;
}

/** A batch message's payload: the journal lines joined by `\n` (an old single-record message is a batch of one). */
export function encodeBatch(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** A record read back from the stream. */
export interface StreamRecord {
  /** Stream sequence of the message that carried it (a batch's records share it). */
  streamSeq: number;
  /** The console's id of the record: `streamSeq × ID_SPAN + position in the message` (see {@link ID_SPAN}). */
  id: number;
  /** Writer (collector id), '' when the header is missing. */
  collector: string;
  /** The record as its writer journaled it (`id`, `prev_hash`, `hash` are the writer's). */
  record: JournalRecord;
  /** True when the line's hash matches its bytes. */
  hashOk: boolean;
  /**
   * True when it came in a batch message (`Ic-Audit-Ids` header): a writer's batches carry every one of its journal
   * ids, so a hole among them is a message missing from the stream. The previous format (one record per message,
   * deduplicated by bot seq across writers) could leave holes by design.
   */
  batched: boolean;
}

/** Told of a message of ours (it names an encoding) that carries no readable record, and why. */
export type UnreadableHandler = (streamSeq: number, why: string) => void;

/**
 * Unpacks a stream message: a batch (journal lines joined by newlines, compressed or not: batch-encoding.ts) or a
 * single line of the previous format. Lines that are not journal records (a foreign message on the subject) are
 * skipped; a payload that cannot be decompressed gives no record and is reported to `onUnreadable`. The result may
 * be empty.
 */
export function decodeMessage(
  m: Pick<JsMsg, 'data' | 'headers' | 'seq'>,
  onUnreadable?: UnreadableHandler,
): StreamRecord[] {
  const payload = batchPayload(m.data, m.headers);
  if (typeof payload === 'string') {
    onUnreadable?.(m.seq, payload);
    return [];
  }
  const text = payload.toString('utf8');
  const collector = m.headers?.get(COLLECTOR_HEADER) ?? '';
  const batched = m.headers?.has(IDS_HEADER) ?? false;
  const out: StreamRecord[] = [];
  let start = 0;
  for (let index = 0; start < text.length && index < ID_SPAN; index++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    const record = parseRecordLine(line);
    if (record === null || typeof record.session !== 'string') continue;
    const parts = splitRecordLine(line);
    out.push({
      streamSeq: m.seq,
      id: m.seq * ID_SPAN + index,
      collector,
      record,
      hashOk: parts !== null && sha256(parts.body) === parts.hash,
      batched,
    });
  }
  return out;
}

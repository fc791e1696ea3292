import { writeFileSync } from 'node:fs';

/**
 * Diagnostics only, off by default: with `IC_AUDIT_COMMIT_TIMELINE=<file>` in the collector's environment, every
 * group commit's timeline (epoch milliseconds, sub-millisecond: first entry queued, queue taken, lines built, written,
 * fdatasync returned, acks handed to the sockets; entries and highest seq) is kept and written to that file as JSON
 * lines when the journal closes. `bench/tools/b3-timeline.mjs` lines it up with the bot's send and ack times. When
 * unset the journal holds null and pays one branch per commit and per append.
 */
export const COMMIT_TIMELINE_ENV = 'IC_AUDIT_COMMIT_TIMELINE';

const at = (): number => performance.timeOrigin + performance.now();

/** Columns of one commit, in the order written. */
const COLUMNS = ['queued', 'taken', 'built', 'written', 'synced', 'acked', 'entries', 'lastSeq'] as const;

export class CommitTimeline {
  private readonly rows: number[][] = [];
  private queuedAt = 0;

  private constructor(private readonly file: string) {}

  /** A timeline when the environment asks for one, else null. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): CommitTimeline | null {
    const file = env[COMMIT_TIMELINE_ENV];
    return file ? new CommitTimeline(file) : null;
  }

  /** An entry was queued into an empty queue. */
  queued(): void {
    this.queuedAt = at();
  }

  /**
   * The writer took the queue (left-overs of a capped batch count as queued now): the batch's row, which the
   * writer carries (the next batch may be taken while this one is still on its way to the disk).
   */
  taken(): number[] {
    const row = [this.queuedAt, at()];
    this.queuedAt = row[1]!;
    return row;
  }

  /** Lines built / written / synced: the next column's time. */
  mark(row: number[]): void {
    row.push(at());
  }

  /** The commit callback returned (acks sent); the batch's entries and highest seq. */
  done(row: number[], entries: number, lastSeq: number): void {
    row.push(at(), entries, lastSeq);
    if (row.length === COLUMNS.length) this.rows.push(row);
  }

  /** Writes every commit seen, one JSON object a line. */
  flush(): void {
    const lines = this.rows.map((r) => JSON.stringify(Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]]))));
    writeFileSync(this.file, lines.join('\n') + '\n');
  }
}

// Types of workload.mjs for the TypeScript tests that build journal lines with it (electron/test/batch-encoding.test.ts).

/** Builds chained journal lines exactly as electron/src/journal/journal.ts does. */
export class LineMaker {
  /** One sealed line (no newline) for a bot event, or a session record when `seq` is 0; `text`: description and note. */
  line(session: string, seq: number, receivedAt: number, timestamp: number, i: number, text?: string): string;
}

import { createReadStream } from 'node:fs';

/** A line handed to a reader callback, with its byte offset in the file. */
export interface LineInfo {
  line: string;
  /** Byte offset of the line's first byte. */
  offset: number;
}

/**
 * Streams a file's complete lines (ending in "\n") to `onLine` with bounded memory, and resolves with the bytes
 * after the last newline (a torn tail, or a line still being written) and their offset.
 * `onLine` returning false stops early; when it returns a promise, reading waits for it (backpressure).
 */
export async function readLines(
  path: string,
  onLine: (line: string, offset: number) => boolean | void | Promise<boolean | void>,
  start = 0,
): Promise<{ tail: Buffer; tailOffset: number; stopped: boolean }> {
  const stream = createReadStream(path, { start, highWaterMark: 1 << 20 });
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = start;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      let from = 0;
      let nl = buf.indexOf(10, from);
      while (nl !== -1) {
        let verdict = onLine(buf.toString('utf8', from, nl), carryOffset + from);
        if (verdict instanceof Promise) verdict = await verdict;
        if (verdict === false) {
          stream.destroy();
          return { tail: Buffer.alloc(0), tailOffset: carryOffset + nl + 1, stopped: true };
        }
        from = nl + 1;
        nl = buf.indexOf(10, from);
      }
      carry = buf.subarray(from);
      carryOffset += from;
    }
  } finally {
    stream.destroy();
  }
  return { tail: Buffer.from(carry), tailOffset: carryOffset, stopped: false };
}

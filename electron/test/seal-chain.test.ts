/**
 * Sealing journal lines: the pure chain function against the record format's own definition (record.ts), the seal
 * worker against the same function run here, and the journal's two batches in flight (one built and sealed while the
 * one before is written), including a failed write with a batch already built behind it.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, parseRecordLine, recordBody, recordLine, SEAL_LENGTH, sealRecord } from '@ic-audit/shared';
import { sha256 } from '../src/journal/hash.js';
import { Journal, type JournalEntry } from '../src/journal/journal.js';
import { scanJournal } from '../src/journal/scan.js';
import { SealWorker, sealChain, sealedHash, WORKER_MIN_LINES } from '../src/journal/seal-chain.js';
import { sha256Bytes } from '../src/journal/hash.js';
import { segmentName } from '../src/journal/segments.js';

const NOW = Date.UTC(2026, 10, 30, 3);
const PREV = 'ab'.repeat(32);

/** Bodies as the journal encodes them (placeholder prev_hash, room for the seal), in one shared buffer. */
function unsealed(count: number): {
  shared: SharedArrayBuffer;
  bytes: Uint8Array;
  ends: Uint32Array;
  bodies: string[];
} {
  const bodies = Array.from({ length: count }, (_, i) =>
    recordBody(
      i + 1,
      1764471600.5,
      '"s"',
      i + 1,
      'ws',
      '"p"',
      '"t"',
      '"d é"',
      1764471600.25,
      '',
      `{"i":${i},"x":"✓"}`,
      GENESIS_HASH,
    ),
  );
  const shared = new SharedArrayBuffer(1 << 20);
  const bytes = new Uint8Array(shared);
  const buf = Buffer.from(shared);
  const ends = new Uint32Array(count);
  let off = 0;
  bodies.forEach((b, i) => {
    off += buf.write(b, off, 'utf8') + SEAL_LENGTH;
    ends[i] = off;
    bytes[off++] = 0x0a;
  });
  return { shared, bytes, ends, bodies };
}

/** The same lines by the format's definition: each body with its real prev_hash, sealed with its SHA-256. */
function expected(bodies: string[], prev: string): string {
  return bodies
    .map((b) => {
      const body = b.slice(0, -65) + prev + '"';
      prev = sha256(body);
      return sealRecord(body, prev) + '\n';
    })
    .join('');
}

describe('sealChain', () => {
  it('fills each prev_hash and seal so the lines are exactly the format’s, and sealedHash reads each hash back', () => {
    const { bytes, ends, bodies } = unsealed(40);
    sealChain(bytes, ends, 40, PREV, sha256Bytes);
    const text = Buffer.from(bytes.subarray(0, ends[39]! + 1)).toString('utf8');
    expect(text).toBe(expected(bodies, PREV));
    const lines = text.trim().split('\n');
    lines.forEach((l, i) => expect(sealedHash(Buffer.from(bytes.buffer), ends[i]!)).toBe(parseRecordLine(l)!.hash));
    expect(SEAL_LENGTH).toBe(75); // sealChain spells the seal's length out (it runs as source text in the worker)
  });

  it('the worker thread seals the same bytes', async () => {
    const worker = new SealWorker();
    try {
      const a = unsealed(WORKER_MIN_LINES + 7);
      await worker.seal(0, a.shared, a.ends, a.ends.length, PREV);
      const b = unsealed(WORKER_MIN_LINES + 7);
      sealChain(b.bytes, b.ends, b.ends.length, PREV, sha256Bytes);
      expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
      expect(Buffer.from(a.bytes.subarray(0, a.ends.at(-1)! + 1)).toString()).toBe(expected(a.bodies, PREV));
    } finally {
      await worker.close();
    }
  });

  it('a closed worker refuses, so the journal seals on its own thread', async () => {
    const worker = new SealWorker();
    await worker.close();
    const a = unsealed(3);
    await expect(worker.seal(0, a.shared, a.ends, 3, PREV)).rejects.toThrow(/unavailable/);
  });
});

function entry(seq: number): JournalEntry {
  return {
    receivedAt: NOW / 1000 + seq / 1e6,
    session: 'seal-test',
    sessionJson: '"seal-test"',
    seq,
    source: 'ws',
    projectName: 'SealTest',
    projectJson: '"SealTest"',
    eventType: 'tick',
    description: 'seal',
    timestamp: NOW / 1000,
    fieldsJson: `{"seq":${seq},"pad":"${'x'.repeat(seq % 50)}"}`,
    fieldsText: null,
    layout: null,
  };
}

describe('Journal with two batches in flight', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  function open(maxBatchBytes: number, fullDisk = false): { dir: string; journal: Journal; hashesSeen: string[] } {
    const root = mkdtempSync(join(tmpdir(), 'ic-audit-seal-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const dir = join(root, 'journal');
    const hashesSeen: string[] = [];
    const journal = new Journal(
      dir,
      { lastId: 0, lastHash: '' },
      (b) => b.entries.forEach((_, i) => hashesSeen.push(b.hashOf(i))),
      { now: () => NOW, maxBatchBytes, retryBaseMs: 5, retryMaxMs: 20 },
    );
    cleanup.push(() => journal.close(0));
    if (fullDisk) symlinkSync('/dev/full', join(dir, segmentName(NOW)));
    return { dir, journal, hashesSeen };
  }

  async function lines(dir: string): Promise<string[]> {
    const scan = await scanJournal(dir);
    expect(scan.firstBreak).toBeNull();
    expect(scan.tail).toBeNull();
    return readFileSync(join(dir, segmentName(NOW)), 'utf8')
      .trim()
      .split('\n');
  }

  it('writes big batches (sealed on the worker) and small ones in one unbroken chain, each line as the format says', async () => {
    // ~64 KiB batches: each one holds several hundred lines (worker), the queue's last one fewer (sealed here).
    const { dir, journal, hashesSeen } = open(64 << 10);
    let seq = 0;
    for (let wave = 0; wave < 5; wave++) {
      for (let k = 0; k < 1500; k++) journal.append(entry(++seq));
      await new Promise((r) => setImmediate(r));
    }
    await journal.drain();
    await journal.close();
    const all = await lines(dir);
    expect(all).toHaveLength(7500);
    all.forEach((l, i) => {
      const r = parseRecordLine(l)!;
      expect(r.id).toBe(i + 1);
      expect(r.seq).toBe(i + 1);
      // Each line's own received_at (the journal prints it once per run of equal values, not once for all).
      expect(r.received_at).toBe(entry(i + 1).receivedAt);
      expect(recordLine(r)).toBe(l);
    });
    expect(hashesSeen).toEqual(all.map((l) => parseRecordLine(l)!.hash));
  });

  it('a failed write with the next batch already built and sealed: both go back to the queue, stored once each, in order', async () => {
    const { dir, journal, hashesSeen } = open(4 << 10, true);
    for (let seq = 1; seq <= 400; seq++) journal.append(entry(seq));
    const drained = journal.drain();
    // The fault is known first; then the write is cut back and both batches return to the queue. Every entry must
    // be waiting again (none lost behind the failed batch): a batch dropped there keeps the count below 400.
    await new Promise<void>((resolve, reject) => {
      const t0 = Date.now();
      const tick = (): void => {
        if (journal.fault !== null && journal.pendingCount === 400) resolve();
        else if (Date.now() - t0 > 5_000)
          reject(new Error(`fault ${journal.fault?.code ?? 'none'}, ${journal.pendingCount} of 400 waiting`));
        else setTimeout(tick, 2);
      };
      tick();
    });
    expect(hashesSeen).toEqual([]); // nothing reported committed while the disk fails
    unlinkSync(join(dir, segmentName(NOW)));
    await drained;
    await journal.close();
    expect((await lines(dir)).map((l) => parseRecordLine(l)!.seq)).toEqual(
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
  });
});

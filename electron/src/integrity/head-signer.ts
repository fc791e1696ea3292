import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CollectorEvents, type IntegrityFinding } from '@ic-audit/shared';
import type { JournalEntry } from '../journal/journal.js';
import { when } from './check-heads.js';
import { appendHeadLine, asHead, HEADS_FILE, nextHead, type HeadKind, type SignedHead } from './heads.js';
import { publicKeyB64, type SigningKey } from './signing-key.js';

/** What the signer needs from the journal (the real `Journal`). */
export interface HeadJournal {
  readonly lastRecordId: number;
  readonly lastRecordHash: string;
  readonly idle: boolean;
  append(entry: JournalEntry): void;
  drain(): Promise<void>;
}

/** Signer options; defaults in {@link HEAD_SIGNER_DEFAULTS}. */
export interface HeadSignerOptions {
  /** Sign a head this often while the collector runs (a journal record too when records came in). */
  intervalMs: number;
  /** Also append every head to this file (another volume: the outside witness), or null. */
  witnessFile: string | null;
  /** Clock, epoch ms. */
  now: () => number;
}

/** Defaults for {@link HeadSignerOptions}. */
export const HEAD_SIGNER_DEFAULTS: Readonly<HeadSignerOptions> = Object.freeze({
  intervalMs: 60_000,
  witnessFile: null,
  now: Date.now,
});

/** Session and project the collector's own head records carry (they belong to no bot). */
const HEAD_SESSION = 'ic-audit-collector';
const TAIL_BYTES = 64 << 10;

/** The newest head in a heads file, read from its tail (the file grows by a line a minute for years). */
export function lastHeadInFile(path: string): SignedHead | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    lines.pop();
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const h = asHead(JSON.parse(lines[i]!));
        if (h !== null) return h;
      } catch {
        /* a partial first line of the window, or garbage: look further back */
      }
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Signs heads: at start, every `intervalMs` while running, before a dump, at rotation and at a clean stop. When
 * records came in since the last head, the head is also written into the journal as an `ic-audit.head` record
 * that covers exactly the record before it (it is signed while the journal builds its line); either way it is
 * appended to the heads file, then to the witness. One signing at a time, so heads stay in order.
 */
export class HeadSigner {
  private readonly opts: HeadSignerOptions;
  private readonly headsFile: string;
  private last: SignedHead | null;
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  /** Last failure writing the witness (the collector keeps running; /healthz says so). */
  witnessError: string | null = null;

  constructor(
    journalDir: string,
    private key: SigningKey,
    private readonly journal: HeadJournal,
    last: SignedHead | null,
    opts: Partial<HeadSignerOptions> = {},
  ) {
    this.opts = { ...HEAD_SIGNER_DEFAULTS, ...opts };
    this.headsFile = join(journalDir, HEADS_FILE);
    this.last = last;
    if (this.opts.witnessFile !== null) {
      try {
        mkdirSync(dirname(this.opts.witnessFile), { recursive: true, mode: 0o700 });
      } catch {
        /* reported by the first append */
      }
    }
  }

  /** Newest durable head. */
  get newest(): SignedHead | null {
    return this.last;
  }

  /** The key signing now. */
  get signingKey(): SigningKey {
    return this.key;
  }

  /** Signs the start head and starts the interval timer. */
  async start(): Promise<SignedHead | null> {
    const head = await this.sign('start');
    this.timer = setInterval(() => {
      if (!this.busy) void this.sign('interval').catch(() => undefined);
    }, this.opts.intervalMs);
    this.timer.unref();
    return head;
  }

  /** Stops the timer and signs the stop head (call with ingest stopped and the journal drained). */
  async stop(): Promise<SignedHead | null> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    return this.sign('stop');
  }

  /** Signs a rotation head with the current key naming `next`, then signs with `next` from now on. */
  async rotate(next: SigningKey): Promise<SignedHead | null> {
    const head = await this.sign('rotate', publicKeyB64(next.publicKey));
    if (head !== null) this.key = next;
    return head;
  }

  /** Signs a head now (serialized after any signing in progress); null when the journal could not take it. */
  sign(kind: HeadKind, nextKey?: string): Promise<SignedHead | null> {
    const run = this.chain.then(() => this.signNow(kind, nextKey));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async signNow(kind: HeadKind, nextKey?: string): Promise<SignedHead | null> {
    this.busy = true;
    try {
      const j = this.journal;
      const last = this.last;
      const covered = last === null ? 0 : last.last_id + (last.in_journal ? 1 : 0);
      const fields = {
        kind,
        interval_s: this.opts.intervalMs / 1000,
        ...(nextKey !== undefined ? { next_key: nextKey } : {}),
      };
      let head: SignedHead;
      if (kind !== 'start' && (j.lastRecordId > covered || !j.idle)) {
        let sealed: SignedHead | null = null;
        const nowS = this.opts.now() / 1000;
        const entry: JournalEntry = {
          receivedAt: nowS,
          session: HEAD_SESSION,
          sessionJson: JSON.stringify(HEAD_SESSION),
          seq: 0,
          source: 'collector',
          projectName: 'ic-audit',
          projectJson: '"ic-audit"',
          eventType: CollectorEvents.HEAD,
          description: `Signed head (${kind}).`,
          timestamp: nowS,
          fieldsJson: '{}',
          fieldsText: null,
          layout: null,
          // Signed while the journal builds this line, over the record just before it; a retried write of the
          // same batch gets the same head.
          seal: (lastId, lastHash) => {
            if (sealed === null || sealed.last_id !== lastId) {
              sealed = nextHead(
                last,
                { ...fields, at: new Date(this.opts.now()), last_id: lastId, last_hash: lastHash, in_journal: true },
                this.key,
              );
            }
            entry.fieldsJson = JSON.stringify(sealed);
            return entry.fieldsJson;
          },
        };
        j.append(entry);
        await j.drain();
        const done = sealed as SignedHead | null;
        if (done === null || j.lastRecordId < done.last_id + 1) return null; // closed before it reached the disk
        head = done;
      } else {
        head = nextHead(
          last,
          {
            ...fields,
            at: new Date(this.opts.now()),
            last_id: j.lastRecordId,
            last_hash: j.lastRecordHash,
            in_journal: false,
          },
          this.key,
        );
      }
      this.last = head;
      await appendHeadLine(this.headsFile, head);
      if (this.opts.witnessFile !== null) {
        try {
          await appendHeadLine(this.opts.witnessFile, head);
          this.witnessError = null;
        } catch (err) {
          this.witnessError = `witness ${this.opts.witnessFile} not written: ${(err as Error).message}`;
          process.stderr.write(`ic-audit: ${this.witnessError}\n`);
        }
      }
      return head;
    } finally {
      this.busy = false;
    }
  }
}

/** What a start found about the journal against its checkpoint and its newest head. */
export interface StartFacts {
  /** Where the journal ends after replay. */
  lastId: number;
  /** The checkpoint as written by the last clean stop (read raw, even when it no longer matches), or null. */
  checkpoint: { last_id: number; written_at: string } | null;
  /** Newest head of the heads file (or a newer one found in the journal), or null. */
  newest: SignedHead | null;
}

/**
 * Start-up checks, before anything new is signed: a journal shorter than its checkpoint or its newest head, or
 * records added while the collector was stopped, are errors; an unclean last stop is a warning. Pure.
 */
export function startFindings(f: StartFacts): IntegrityFinding[] {
  const out: IntegrityFinding[] = [];
  const short = (what: string, covers: number): IntegrityFinding => ({
    code: 'E_JOURNAL_SHORT',
    severity: 'error',
    message: `at start: journal ends at record ${f.lastId}, but ${what} covers ${covers}: ${covers - f.lastId} record${covers - f.lastId === 1 ? '' : 's'} missing`,
  });
  const h = f.newest;
  const covered = h === null ? 0 : h.last_id + (h.in_journal ? 1 : 0);
  if (h !== null && covered > f.lastId) out.push(short(`head #${h.n} signed ${when(h.at)}`, covered));
  else if (f.checkpoint !== null && f.checkpoint.last_id > f.lastId)
    out.push(short(`the checkpoint written ${when(f.checkpoint.written_at)}`, f.checkpoint.last_id));
  if (h !== null && covered < f.lastId) {
    if (h.kind === 'stop') {
      out.push({
        code: 'E_APPENDED_WHILE_STOPPED',
        severity: 'error',
        message: `at start: records ${covered + 1}..${f.lastId} were added after the collector stopped at ${when(h.at)}`,
      });
    }
  }
  if (h !== null && h.kind !== 'stop') {
    out.push({
      code: 'E_UNCLEAN_STOP',
      severity: 'warning',
      message: `at start: the collector did not stop cleanly (last head #${h.n}, ${h.kind}, ${when(h.at)})`,
    });
  }
  return out;
}

import type { IntegrityFinding } from '@ic-audit/shared';
import { followRotation, headHash, headSignatureFault, type HeadLine, type SignedHead } from './heads.js';
import type { TrustedKeys } from './signing-key.js';

/** What a journal scan saw that the head checks need. */
export interface JournalFacts {
  /** Last record id on disk (0 when empty) and records read. */
  lastId: number;
  records: number;
  /** Stated hash of a record by id, for the ids asked for (heads' `last_id`); undefined when not seen. */
  hashAt(id: number): string | undefined;
  /** Every `ic-audit.head` record: its id, the stated hash of the record before it, its head (null: unreadable). */
  journalHeads: Array<{ id: number; prevHash: string | undefined; head: SignedHead | null }>;
}

/** Everything the head checks compare. */
export interface HeadsInput {
  /** The heads file's lines; null when the file is missing. */
  file: HeadLine[] | null;
  /** The witness's lines (`verify --witness`); undefined when none was given, null when the file is missing. */
  witness?: HeadLine[] | null;
  /** Keys whose signatures count (rotations found in the heads extend it). */
  trusted: TrustedKeys;
  /** Verifier clock (epoch ms). */
  now: number;
  /** True when a collector is writing this journal right now (it signs a head every interval). */
  running: boolean;
  /** The running collector's own newest durable head number (it knows what it wrote). */
  minHeadN?: number;
}

/** Findings plus what the newest valid head said. */
export interface HeadsVerdict {
  findings: IntegrityFinding[];
  count: number;
  newest: SignedHead | null;
}

/** Grace beyond two intervals before a missing head counts (timers drift, a busy disk delays a write). */
const SLACK_MS = 10_000;

/** "2026-11-29 21:03:12 UTC" from an ISO time. */
export function when(iso: string): string {
  return iso.length >= 19 ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;
}

const ms = (h: SignedHead): number => Date.parse(h.at);
const minutes = (d: number): string => (d >= 120_000 ? `${Math.round(d / 60_000)} min` : `${Math.round(d / 1000)} s`);
const error = (code: string, message: string): IntegrityFinding => ({ code, severity: 'error', message });
const warning = (code: string, message: string): IntegrityFinding => ({ code, severity: 'warning', message });

/**
 * Checks signed heads against each other, against the journal and against a witness. Pure: every fact comes in
 * through `journal` and `input`. Reports each kind of fault once, at its most telling place.
 */
export function checkHeads(journal: JournalFacts, input: HeadsInput): HeadsVerdict {
  const findings: IntegrityFinding[] = [];
  const trusted: TrustedKeys = new Map(input.trusted);
  const once = new Set<string>();
  const add = (f: IntegrityFinding): void => {
    if (once.has(f.code)) return;
    once.add(f.code);
    findings.push(f);
  };
  const heads: SignedHead[] = [];
  if (input.file === null) {
    if (journal.journalHeads.length > 0) {
      add(
        error(
          'E_HEADS_MISSING',
          `the heads file is missing, but the journal holds ${journal.journalHeads.length} signed heads`,
        ),
      );
    } else if (journal.records > 0) {
      add(warning('E_NO_HEADS', 'no signed heads: this journal predates signing, only the hash chain protects it'));
    }
  }
  let prev: SignedHead | null = null;
  for (const { head, line } of input.file ?? []) {
    if (head === null) {
      add(error('E_HEAD_MALFORMED', `line ${line} of the heads file is not a signed head`));
      continue;
    }
    const fault = headSignatureFault(head, trusted);
    if (fault !== null) {
      add(
        error(
          'E_HEAD_SIGNATURE',
          fault === 'untrusted-key'
            ? `head #${head.n} (signed ${when(head.at)}) is signed by key ${head.key.slice(0, 16)}…, which is not the trusted key`
            : `head #${head.n} (signed ${when(head.at)}) has a bad signature: it was edited or forged`,
        ),
      );
    } else {
      followRotation(head, trusted);
    }
    if (prev === null ? head.n !== 1 : head.n !== prev.n + 1 || head.prev !== headHash(prev)) {
      add(
        error(
          'E_HEAD_CHAIN',
          prev === null
            ? `the heads file starts at head #${head.n}, not #1: earlier heads were removed`
            : `head #${head.n} (signed ${when(head.at)}) does not follow head #${prev.n}: heads were removed, inserted or re-signed`,
        ),
      );
    }
    if (prev !== null) checkStep(prev, head, add);
    heads.push(head);
    prev = head;
  }
  checkCoverage(heads, journal, add, 'the head');
  // Journal head records: signed, consistent with the record before them, and the same as the heads file's.
  const byN = new Map(heads.map((h) => [h.n, h]));
  const newestN = heads.at(-1)?.n ?? 0;
  for (const j of journal.journalHeads) {
    const h = j.head;
    if (h === null) {
      add(error('E_HEAD_MALFORMED', `journal record ${j.id} is an ic-audit.head record without a signed head`));
      continue;
    }
    if (headSignatureFault(h, trusted) !== null) {
      add(
        error(
          'E_HEAD_SIGNATURE',
          `the head in journal record ${j.id} (head #${h.n}) does not verify: it was edited or forged`,
        ),
      );
    }
    if (h.last_id !== j.id - 1 || h.last_hash !== j.prevHash) {
      add(
        error(
          'E_HEAD_MISMATCH',
          `journal record ${j.id - 1} is not the record head #${h.n} (signed ${when(h.at)}) covers: ` +
            'the journal was rewritten (records edited and re-chained)',
        ),
      );
    }
    const f = byN.get(h.n);
    if (f !== undefined && f.sig !== h.sig) {
      add(error('E_HEAD_FORK', `head #${h.n} in journal record ${j.id} differs from head #${h.n} in the heads file`));
    } else if (f === undefined && input.file !== null) {
      if (h.n < newestN)
        add(error('E_HEAD_CHAIN', `head #${h.n} is in the journal (record ${j.id}) but missing from the heads file`));
      else
        add(
          warning(
            'E_HEADS_BEHIND',
            `the heads file ends before head #${h.n} of journal record ${j.id} (cut short, or a crash between the two writes)`,
          ),
        );
    }
  }
  const newest = heads.at(-1) ?? null;
  if (newest !== null) checkEnd(newest, journal, input, add);
  if (input.witness !== undefined) checkWitness(input.witness, byN, heads, journal, trusted, add);
  return { findings, count: heads.length, newest };
}

/** Rules between two consecutive heads: no long silence within a run, nothing written while stopped. */
function checkStep(a: SignedHead, b: SignedHead, add: (f: IntegrityFinding) => void): void {
  const gap = ms(b) - ms(a);
  if (b.kind !== 'start') {
    if (gap > 2 * a.interval_s * 1000 + SLACK_MS) {
      add(
        error(
          'E_HEAD_GAP',
          `no signed head between ${when(a.at)} and ${when(b.at)} (${minutes(gap)}) while the collector ran ` +
            `(it signs every ${a.interval_s} s): heads were removed`,
        ),
      );
    }
    return;
  }
  const end = a.last_id + (a.in_journal ? 1 : 0);
  if (a.kind === 'stop' && b.last_id !== end) {
    add(
      error(
        'E_APPENDED_WHILE_STOPPED',
        b.last_id > end
          ? `records ${end + 1}..${b.last_id} were added while the collector was stopped (between ${when(a.at)} and ${when(b.at)})`
          : `the journal lost records ${b.last_id + 1}..${end} while the collector was stopped (between ${when(a.at)} and ${when(b.at)})`,
      ),
    );
  } else if (a.kind !== 'stop') {
    add(
      warning(
        'E_UNCLEAN_STOP',
        `the collector did not stop cleanly between ${when(a.at)} and ${when(b.at)} (${minutes(gap)}): ` +
          'a crash or power cut, or the end of the journal and its heads were removed (a witness tells which)',
      ),
    );
  }
}

/** The journal must reach every head and hold, at each head's `last_id`, the record the head signed. */
function checkCoverage(
  heads: readonly SignedHead[],
  journal: JournalFacts,
  add: (f: IntegrityFinding) => void,
  what: string,
): void {
  let short: SignedHead | null = null;
  for (const h of heads) {
    if (h.last_id > journal.lastId) {
      if (short === null || h.last_id > short.last_id) short = h;
      continue;
    }
    if (h.last_id > 0 && journal.hashAt(h.last_id) !== h.last_hash) {
      add(
        error(
          'E_HEAD_MISMATCH',
          `record ${h.last_id} is not the record ${what} #${h.n} (signed ${when(h.at)}) covers: ` +
            'the journal was rewritten (records edited and re-chained)',
        ),
      );
    }
    if (h.in_journal && h.last_id + 1 > journal.lastId) short ??= { ...h, last_id: h.last_id + 1 };
  }
  if (short !== null) {
    const missing = short.last_id - journal.lastId;
    add(
      error(
        'E_JOURNAL_SHORT',
        `journal ends at record ${journal.lastId}, but ${what} #${short.n} signed ${when(short.at)} covers ` +
          `${short.last_id}: ${missing} record${missing === 1 ? '' : 's'} missing`,
      ),
    );
  }
}

/** The newest head against the journal's end and the clock. */
function checkEnd(
  newest: SignedHead,
  journal: JournalFacts,
  input: HeadsInput,
  add: (f: IntegrityFinding) => void,
): void {
  const covered = newest.last_id + (newest.in_journal ? 1 : 0);
  if (input.minHeadN !== undefined && newest.n < input.minHeadN) {
    add(
      error(
        'E_HEADS_CUT',
        `the heads file ends at head #${newest.n}, but this collector has signed up to #${input.minHeadN}: heads were removed`,
      ),
    );
  }
  if (input.running) {
    const age = input.now - ms(newest);
    if (age > 2 * newest.interval_s * 1000 + SLACK_MS) {
      add(
        error(
          'E_HEAD_STALE',
          `no signed head since ${when(newest.at)} (${minutes(age)} ago) although a collector is running: ` +
            'heads (and the records they covered) were removed',
        ),
      );
    }
    return;
  }
  if (newest.kind === 'stop' && journal.lastId > covered) {
    add(
      error(
        'E_APPENDED_WHILE_STOPPED',
        `records ${covered + 1}..${journal.lastId} were added after the collector stopped at ${when(newest.at)}`,
      ),
    );
  } else if (newest.kind !== 'stop') {
    add(
      warning(
        'E_UNCLEAN_STOP',
        `the journal does not end with a clean stop: the last head is #${newest.n} (${newest.kind}, ` +
          `${when(newest.at)}): a crash, or the end of the journal and its heads were removed (a witness tells which)`,
      ),
    );
  }
}

/** A witness must agree with the heads file on every head both hold, and the journal must reach its newest. */
function checkWitness(
  lines: HeadLine[] | null,
  byN: Map<number, SignedHead>,
  heads: readonly SignedHead[],
  journal: JournalFacts,
  trusted: TrustedKeys,
  add: (f: IntegrityFinding) => void,
): void {
  if (lines === null) {
    add(error('E_WITNESS', 'the witness file is missing'));
    return;
  }
  const valid: SignedHead[] = [];
  for (const { head, line } of lines) {
    if (head === null || headSignatureFault(head, trusted) !== null) {
      add(error('E_WITNESS', `line ${line} of the witness is not a head signed by the trusted key`));
      continue;
    }
    valid.push(head);
    const mine = byN.get(head.n);
    if (mine === undefined) {
      if (head.n > (heads.at(-1)?.n ?? 0)) {
        add(
          error(
            'E_WITNESS_AHEAD',
            `the witness holds head #${head.n} (signed ${when(head.at)}, covering record ${head.last_id}) ` +
              'that the heads file lacks: the newest heads were removed',
          ),
        );
      } else {
        add(
          error(
            'E_WITNESS_MISMATCH',
            `the witness holds head #${head.n} (signed ${when(head.at)}) that the heads file lacks`,
          ),
        );
      }
    } else if (mine.sig !== head.sig) {
      add(
        error(
          'E_WITNESS_MISMATCH',
          `head #${head.n} differs between the witness and the heads file: the heads were re-signed`,
        ),
      );
    }
  }
  checkCoverage(valid, journal, add, 'the witness head');
}

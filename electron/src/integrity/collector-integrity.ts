import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntegrityFinding, IntegrityInfo } from '@ic-audit/shared';
import { DEFAULTS, type CollectorConfig } from '../settings/config.js';
import { JOURNAL_DIR, CHECKPOINT_FILE } from '../journal/segments.js';
import type { AuditOptions } from './audit.js';
import { when } from './check-heads.js';
import { HeadSigner, lastHeadInFile, startFindings, type HeadJournal } from './head-signer.js';
import { appendHeadLine, asHead, HEADS_FILE, type SignedHead } from './heads.js';
import {
  checkKeyLocation,
  FileKeyStore,
  keyFileFor,
  openSigningKey,
  publicKeyPem,
  type KeyStore,
  type SigningKey,
} from './signing-key.js';

/** Public keys retired by `ic-audit key rotate`, beside the key file (concatenated SPKI PEMs). */
export function retiredKeysFile(keyFile: string): string {
  return `${keyFile}.retired.pem`;
}

/** The PEM public keys in a retired-keys file (none when it is missing). */
export function readRetiredKeys(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
}

/** Which key signs, for the start banner. */
export interface KeyInfo {
  fingerprint: string;
  where: string;
  created: boolean;
}

/** The collector's signed-head state: its signer and what the start found. */
export interface Integrity {
  signer: HeadSigner;
  fingerprint: string;
  /** True when the journal had signed heads before this start (else the chain check at start said it all). */
  hadHeads: boolean;
  /** Findings of the start (journal shorter than its checkpoint or newest head, ...); kept as evidence. */
  startFindings: IntegrityFinding[];
  /** The start's verdict merged into the chain's provisional one. */
  provisional(chain: IntegrityInfo): IntegrityInfo;
  /** Options for a full audit by this (running) collector. */
  auditOptions(journalDir: string, nowMs: number): AuditOptions;
  /** Public keys (PEM) this collector trusts: its key and the ones it rotated away from. */
  trustedKeys(): string[];
  /** The signing key: fingerprint, where it is kept, whether this start created it. */
  keyInfo?: KeyInfo;
  /** `/healthz` message while intact. */
  okMessage(records: number, info: IntegrityInfo): string;
}

/** Reads the checkpoint as written, even one that no longer matches the journal (that is the point). */
function rawCheckpoint(journalDir: string): { last_id: number; written_at: string } | null {
  try {
    const cp = JSON.parse(readFileSync(join(journalDir, CHECKPOINT_FILE), 'utf8')) as {
      last_id?: unknown;
      written_at?: unknown;
    };
    return typeof cp.last_id === 'number' ? { last_id: cp.last_id, written_at: String(cp.written_at ?? '') } : null;
  } catch {
    return null;
  }
}

/**
 * Loads (or creates) the signing key before the journal is opened; `start` then checks the journal's end against
 * the checkpoint and the newest head, and signs the start head.
 */
export function openIntegrity(
  config: CollectorConfig,
  keyStore: KeyStore | null,
  now: () => number,
): { start(journal: HeadJournal, lastId: number, journalHead: unknown): Promise<Integrity> } {
  const journalDir = join(config.dataDir, JOURNAL_DIR);
  const keyFile = keyFileFor(config, DEFAULTS.dataDir);
  let store = keyStore;
  if (store === null) {
    checkKeyLocation(keyFile, journalDir);
    store = new FileKeyStore(keyFile);
  }
  const { key, created } = openSigningKey(store);
  const where = store.where;
  const trusted = [
    publicKeyPem(key.publicKey),
    ...(keyStore === null ? readRetiredKeys(retiredKeysFile(keyFile)) : []),
  ];
  return {
    start: async (journal, lastId, journalHead) => {
      const newest = await newestHead(journalDir, asHead(journalHead));
      const found = startFindings({ lastId, checkpoint: rawCheckpoint(journalDir), newest });
      const signer = new HeadSigner(journalDir, key, journal, newest, {
        intervalMs: config.headIntervalMs,
        witnessFile: config.witnessFile,
        now,
      });
      await signer.start();
      return {
        ...integrityState(signer, key, found, trusted, config.witnessFile),
        hadHeads: newest !== null,
        keyInfo: { fingerprint: key.fingerprint, where, created },
      };
    },
  };
}

/**
 * The newest head: the heads file's, or a newer one found in the journal (a crash between the journal commit and
 * the heads file append), which is appended back to the heads file when it is the very next one.
 */
async function newestHead(journalDir: string, fromJournal: SignedHead | null): Promise<SignedHead | null> {
  const inFile = lastHeadInFile(join(journalDir, HEADS_FILE));
  if (fromJournal === null || (inFile !== null && inFile.n >= fromJournal.n)) return inFile;
  if (fromJournal.n === (inFile?.n ?? 0) + 1) {
    await appendHeadLine(join(journalDir, HEADS_FILE), fromJournal);
    process.stderr.write(
      `ic-audit: head #${fromJournal.n} was in the journal but not yet in the heads file; appended it\n`,
    );
  }
  return fromJournal;
}

function integrityState(
  signer: HeadSigner,
  key: SigningKey,
  found: IntegrityFinding[],
  trusted: string[],
  witnessFile: string | null,
): Omit<Integrity, 'hadHeads'> {
  return {
    signer,
    fingerprint: key.fingerprint,
    startFindings: found,
    provisional(chain) {
      const firstError = found.find((f) => f.severity === 'error');
      return {
        ...chain,
        ok: chain.ok && firstError === undefined,
        message: chain.ok && firstError !== undefined ? firstError.message : chain.message,
        findings: [...found, ...(chain.findings ?? [])],
      };
    },
    trustedKeys: () => [...trusted, publicKeyPem(signer.signingKey.publicKey)],
    auditOptions(journalDir, nowMs) {
      const n = signer.newest?.n;
      return {
        journalDir,
        trustedKeys: this.trustedKeys(),
        witnessFile,
        now: nowMs,
        running: true,
        ...(n !== undefined ? { minHeadN: n } : {}),
      };
    },
    okMessage(records, info) {
      const h = signer.newest;
      const warnings = (info.findings ?? []).filter((f) => f.severity === 'warning').length;
      return (
        `chain intact (${records} records)` +
        (h === null ? '' : `, newest signed head #${h.n} at ${when(h.at)}`) +
        (warnings > 0 ? `; ${warnings} warning${warnings === 1 ? '' : 's'}` : '')
      );
    },
  };
}

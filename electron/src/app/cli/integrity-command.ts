import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IntegrityFinding } from '@ic-audit/shared';
import { Collector } from '../../collector/collector.js';
import { DEFAULTS, type CollectorConfig } from '../../settings/config.js';
import { acquireLock, lockHolder } from '../../settings/data-dir-lock.js';
import { describeBreak } from '../../journal/scan.js';
import { JOURNAL_DIR } from '../../journal/segments.js';
import { auditJournal, auditOk } from '../../integrity/audit.js';
import { when } from '../../integrity/check-heads.js';
import { readRetiredKeys, retiredKeysFile } from '../../integrity/collector-integrity.js';
import { lastHeadInFile } from '../../integrity/head-signer.js';
import { HEADS_FILE } from '../../integrity/heads.js';
import type { ManifestSigner } from '../../integrity/manifest.js';
import {
  checkKeyLocation,
  FileKeyStore,
  fingerprintOf,
  generateSigningKey,
  KeyError,
  keyFileFor,
  openSigningKey,
  parsePublicKey,
  publicKeyPem,
  signingKeyFromPem,
  trustKeys,
  type TrustedKeys,
} from '../../integrity/signing-key.js';
import { checkDump } from '../../integrity/verify-dump.js';

/** Exit codes shared with cli.ts: 0 ok, 1 integrity fault found, 2 usage / configuration / I/O. */
const OK = 0;
const BROKEN = 1;
const USAGE = 2;

const out = (s: string): void => void process.stdout.write(s + '\n');

/**
 * Public keys a verifier trusts: the `--public-key` file when given (what the compliance team pinned), otherwise
 * the local key file's public half plus the keys it retired. Empty when there is neither.
 */
export function trustedKeyPems(config: CollectorConfig, publicKeyFile: string | undefined): string[] {
  if (publicKeyFile !== undefined) {
    const text = readFileSync(publicKeyFile, 'utf8');
    return [publicKeyPem(parsePublicKey(text))];
  }
  const keyFile = keyFileFor(config, DEFAULTS.dataDir);
  const pem = new FileKeyStore(keyFile).load();
  if (pem === null) return [];
  return [publicKeyPem(signingKeyFromPem(pem, keyFile).publicKey), ...readRetiredKeys(retiredKeysFile(keyFile))];
}

function printFindings(findings: readonly IntegrityFinding[]): void {
  for (const f of findings) out(`${f.severity === 'error' ? 'BROKEN' : 'WARNING'} ${f.code}: ${f.message}`);
}

/** Options of `ic-audit verify`. */
export interface VerifyOptions {
  witness?: string;
  publicKey?: string;
  /** Print one JSON verdict on stdout instead of sentences. */
  json?: boolean;
  /** Journal bytes read so far and their total (the progress line). */
  onProgress?: (bytes: number, total: number) => void;
  /** Called once the journal is read, before anything is printed (the progress line is cleared there). */
  onScanned?: () => void;
}

/** The one JSON object `verify --json` prints; `verdict` is stable: intact, broken or error. */
export interface VerifyVerdict {
  ok: boolean;
  verdict: 'intact' | 'broken' | 'error';
  data_dir: string;
  records?: number;
  last_id?: number;
  head_hash?: string;
  /** Bytes of an unfinished line at the journal's end (a torn write, or a line being written now). */
  tail_bytes?: number;
  first_break?: { id: number; fault: string; file: string; offset: number; message: string } | null;
  findings?: Array<{ severity: string; code: string; message: string }>;
  heads?: { count: number; newest: { n: number; kind: string; at: string; last_id: number } | null };
  witness?: boolean;
  error?: { code: string; message: string };
}

/** Prints a verdict as one line of JSON. */
export function printVerdict(v: VerifyVerdict): void {
  out(JSON.stringify(v));
}

/** `ic-audit verify [--witness FILE] [--public-key FILE] [--json]`: chain, signed heads, witness. */
export async function runVerify(config: CollectorConfig, opts: VerifyOptions): Promise<number> {
  const journalDir = join(config.dataDir, JOURNAL_DIR);
  const trusted = trustedKeyPems(config, opts.publicKey);
  if (trusted.length === 0 && lastHeadInFile(join(journalDir, HEADS_FILE)) !== null) {
    const message = 'no public key to check the signed heads with: pass --public-key FILE (from `ic-audit key`)';
    if (opts.json)
      printVerdict({
        ok: false,
        verdict: 'error',
        data_dir: config.dataDir,
        error: { code: 'E_NO_TRUSTED_KEY', message },
      });
    else process.stderr.write(`ic-audit: E_NO_TRUSTED_KEY: ${message}\n`);
    return USAGE;
  }
  const report = await auditJournal(
    {
      journalDir,
      trustedKeys: trusted,
      witnessFile: opts.witness ?? null,
      now: Date.now(),
      running: lockHolder(config.dataDir) !== null,
    },
    opts.onProgress,
  );
  opts.onScanned?.();
  const { scan } = report;
  const ok = auditOk(report);
  if (opts.json) {
    const h = report.heads.newest;
    const b = scan.firstBreak;
    printVerdict({
      ok,
      verdict: ok ? 'intact' : 'broken',
      data_dir: config.dataDir,
      records: scan.records,
      last_id: scan.lastId,
      head_hash: scan.lastHash,
      tail_bytes: scan.tail?.bytes ?? 0,
      first_break:
        b === null ? null : { id: b.id, fault: b.fault, file: b.file, offset: b.offset, message: describeBreak(b) },
      findings: report.findings.map((f) => ({ severity: f.severity, code: f.code, message: f.message })),
      heads: {
        count: report.heads.count,
        newest: h === null ? null : { n: h.n, kind: h.kind, at: h.at, last_id: h.last_id },
      },
      witness: opts.witness !== undefined,
    });
    return ok ? OK : BROKEN;
  }
  if (scan.firstBreak !== null) out(`BROKEN at record ${scan.firstBreak.id}: ${describeBreak(scan.firstBreak)}`);
  printFindings(report.findings);
  if (!ok) return BROKEN;
  const tail = scan.tail ? ` (${scan.tail.bytes} bytes of an unfinished line at the end)` : '';
  const h = report.heads.newest;
  const heads =
    h === null
      ? 'no signed heads'
      : `${report.heads.count} signed heads, newest #${h.n} (${h.kind}, ${when(h.at)}) covers record ${h.last_id}`;
  out(
    `OK: chain intact, ${scan.records} records, head ${scan.lastHash}${tail}; ${heads}` +
      (opts.witness ? '; witness agrees' : ''),
  );
  return OK;
}

/** `ic-audit verify-dump FILE [--manifest M] [--public-key KEY]`: a dump against its signed manifest, no journal. */
export function runVerifyDump(
  config: CollectorConfig,
  file: string,
  opts: { manifest?: string; publicKey?: string },
): number {
  const manifestPath = opts.manifest ?? `${file}.manifest.json`;
  let trusted: TrustedKeys;
  try {
    trusted = trustKeys(...trustedKeyPems(config, opts.publicKey).map(parsePublicKey));
  } catch (err) {
    process.stderr.write(`ic-audit: ${(err as Error).message}\n`);
    return USAGE;
  }
  if (trusted.size === 0) {
    process.stderr.write(
      "ic-audit: E_NO_TRUSTED_KEY: pass --public-key FILE (the collector's public key, from `ic-audit key`)\n",
    );
    return USAGE;
  }
  let dump: Buffer;
  let manifest: string;
  try {
    dump = readFileSync(file);
    manifest = readFileSync(manifestPath, 'utf8');
  } catch (err) {
    process.stderr.write(`ic-audit: ${(err as Error).message}\n`);
    return USAGE;
  }
  const v = checkDump(dump, manifest, trusted);
  printFindings(v.findings);
  if (!v.ok) {
    out(`TAMPERED: ${file} does not match its signed manifest`);
    return BROKEN;
  }
  const head = v.head === null ? 'no head' : `head #${v.head.n} (${when(v.head.at)}) covering record ${v.head.last_id}`;
  out(`OK: ${file} matches its manifest: ${v.events} events, signed by key ${v.key?.slice(0, 16)}…, ${head}`);
  return OK;
}

/** `ic-audit key`: where the key is, its fingerprint and public key (created on first use). */
export function runKey(config: CollectorConfig): number {
  const keyFile = keyFileFor(config, DEFAULTS.dataDir);
  checkKeyLocation(keyFile, join(config.dataDir, JOURNAL_DIR));
  const { key, created } = openSigningKey(new FileKeyStore(keyFile));
  out(`key file     ${keyFile}${created ? ' (created now)' : ''}`);
  out(`fingerprint  ${key.fingerprint}`);
  out(publicKeyPem(key.publicKey).trimEnd());
  return OK;
}

/**
 * `ic-audit key rotate`: with the collector stopped, signs a rotation head with the old key naming the new one,
 * keeps the old public key beside the key file (so local verification still trusts older heads), then replaces
 * the key. The stop head that follows is signed by the new key.
 */
export async function runKeyRotate(config: CollectorConfig): Promise<number> {
  const keyFile = keyFileFor(config, DEFAULTS.dataDir);
  const store = new FileKeyStore(keyFile);
  const oldPem = store.load();
  if (oldPem === null) throw new KeyError('E_KEY', `no key to rotate at ${keyFile}; \`ic-audit key\` creates one`);
  const old = signingKeyFromPem(oldPem, keyFile);
  const next = generateSigningKey();
  const release = await acquireLock(config.dataDir);
  try {
    const collector = await Collector.open(config);
    try {
      const head = await collector.rotateKey(next.key);
      if (head === null) throw new KeyError('E_KEY', 'the rotation head could not be written; the key was not changed');
      const retired = retiredKeysFile(keyFile);
      const kept = readRetiredKeys(retired).join('\n');
      new FileKeyStore(retired).save((kept === '' ? '' : kept + '\n') + publicKeyPem(old.publicKey));
      store.save(next.pem);
      out(`rotated: head #${head.n} signed by ${old.fingerprint} hands over to ${fingerprintOf(next.key.publicKey)}`);
      out(publicKeyPem(next.key.publicKey).trimEnd());
    } finally {
      await collector.close();
    }
  } finally {
    release();
  }
  return OK;
}

/** The manifest signer for a dump written by the CLI: the local key (never created here) and the newest head. */
export function cliManifestSigner(config: CollectorConfig): ManifestSigner | null {
  try {
    const keyFile = keyFileFor(config, DEFAULTS.dataDir);
    const pem = new FileKeyStore(keyFile).load();
    if (pem === null) return null;
    return {
      key: signingKeyFromPem(pem, keyFile),
      head: lastHeadInFile(join(config.dataDir, JOURNAL_DIR, HEADS_FILE)),
    };
  } catch (err) {
    process.stderr.write(`ic-audit: the manifest will not be signed: ${(err as Error).message}\n`);
    return null;
  }
}

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';

/** Thrown when the signing key cannot be used; `code` is stable (listed in docs/protocol.md). */
export class KeyError extends Error {
  constructor(
    readonly code: 'E_KEY' | 'E_KEY_PERMS' | 'E_KEY_LOCATION' | 'E_NO_TRUSTED_KEY',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where the private signing key is kept. Headless: a 0600 PEM file ({@link FileKeyStore}); the desktop app: a
 * blob sealed by the OS keychain (Electron safeStorage, electron/src/shell/safe-storage-key-store.ts).
 */
export interface KeyStore {
  /** Human description of where the key lives (printed by `ic-audit key`). */
  readonly where: string;
  /** The PKCS#8 PEM of the private key, or null when none was created yet. Throws KeyError when unusable. */
  load(): string | null;
  /** Stores a private key (PEM), replacing any previous one. */
  save(pem: string): void;
}

/** An Ed25519 key pair ready to sign, with its public identity. */
export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SHA-256 (hex) of the raw 32-byte public key: how heads and manifests name their key. */
  fingerprint: string;
}

/** Config folder for the key (XDG), overridable with IC_AUDIT_CONFIG_DIR. */
export function defaultConfigDir(env: Record<string, string | undefined> = process.env): string {
  if (env['IC_AUDIT_CONFIG_DIR']) return resolve(env['IC_AUDIT_CONFIG_DIR']);
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.config'), 'ic-audit');
}

/**
 * Default key file for a data dir: `<config>/signing-key.pem` for the default data dir, otherwise one key per
 * data dir under `<config>/keys/` (named after the data dir's path), so two journals never share a key by accident
 * and tests with temp data dirs (and a temp IC_AUDIT_CONFIG_DIR) each get their own.
 */
export function defaultKeyFile(configDir: string, dataDir: string, defaultDataDir: string): string {
  if (resolve(dataDir) === resolve(defaultDataDir)) return join(configDir, 'signing-key.pem');
  const tag = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  const base =
    resolve(dataDir)
      .split(/[\\/]/)
      .filter(Boolean)
      .at(-1)
      ?.replace(/[^A-Za-z0-9._-]/g, '_') ?? 'root';
  return join(configDir, 'keys', `${base}-${tag}.pem`);
}

/** Refuses a key file inside the journal folder it is meant to vouch for. */
export function checkKeyLocation(keyFile: string, journalDir: string): void {
  const rel = relative(resolve(journalDir), resolve(keyFile));
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new KeyError(
      'E_KEY_LOCATION',
      `the signing key ${keyFile} must not live inside the journal folder ${journalDir}`,
    );
  }
}

/** Private key in a PEM file, mode 0600, in a folder of mode 0700; refuses a file others can read. */
export class FileKeyStore implements KeyStore {
  constructor(readonly path: string) {}

  get where(): string {
    return this.path;
  }

  load(): string | null {
    return this.readBytes()?.toString('utf8') ?? null;
  }

  save(pem: string): void {
    this.saveBytes(Buffer.from(pem, 'utf8'));
  }

  /** The file's bytes (null when missing), refusing a file group or others can read. */
  readBytes(): Buffer | null {
    let mode: number;
    try {
      mode = statSync(this.path).mode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new KeyError('E_KEY', `cannot read the signing key ${this.path}: ${(err as Error).message}`);
    }
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new KeyError(
        'E_KEY_PERMS',
        `signing key ${this.path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    try {
      return readFileSync(this.path);
    } catch (err) {
      throw new KeyError('E_KEY', `cannot read the signing key ${this.path}: ${(err as Error).message}`);
    }
  }

  /** Writes the file atomically with mode 0600 (its folder 0700). */
  saveBytes(bytes: Buffer): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}

/** Raw 32-byte Ed25519 public key. */
function rawPublic(key: KeyObject): Buffer {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url');
}

/** Fingerprint of a public key: SHA-256 hex of its raw 32 bytes. */
export function fingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublic(publicKey)).digest('hex');
}

/** The key pair behind a private PEM. Throws KeyError when it is not an Ed25519 key. */
export function signingKeyFromPem(pem: string, where = 'the key'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new KeyError('E_KEY', `${where} is not a private key: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new KeyError('E_KEY', `${where} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey) };
}

/** A fresh Ed25519 key pair and its PEM. */
export function generateSigningKey(): { key: SigningKey; pem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  return { key: signingKeyFromPem(pem), pem };
}

/** Loads the store's key, creating (and saving) one on first use. */
export function openSigningKey(store: KeyStore): { key: SigningKey; created: boolean } {
  const pem = store.load();
  if (pem !== null) return { key: signingKeyFromPem(pem, store.where), created: false };
  const fresh = generateSigningKey();
  store.save(fresh.pem);
  return { key: fresh.key, created: true };
}

/** Public key as SPKI PEM (what the compliance team keeps). */
export function publicKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }) as string;
}

/** Public key as base64 SPKI DER (compact form carried inside heads and manifests). */
export function publicKeyB64(key: KeyObject): string {
  return (key.export({ format: 'der', type: 'spki' }) as Buffer).toString('base64');
}

/** Parses a public key given as PEM (SPKI or a private key's PEM) or base64 SPKI DER. Throws KeyError. */
export function parsePublicKey(text: string): KeyObject {
  try {
    const t = text.trim();
    const key = t.startsWith('-----')
      ? createPublicKey(t)
      : createPublicKey({ key: Buffer.from(t, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return key;
  } catch (err) {
    throw new KeyError('E_KEY', `not a usable public key: ${(err as Error).message}`);
  }
}

/** Ed25519 signature (base64) of a UTF-8 message. */
export function signText(key: SigningKey, message: string): string {
  return sign(null, Buffer.from(message, 'utf8'), key.privateKey).toString('base64');
}

/** True when `sig` (base64) is a valid Ed25519 signature of `message` by `publicKey`. */
export function verifyText(publicKey: KeyObject, message: string, sig: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), publicKey, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** Fingerprint -> public key: the keys a verifier accepts signatures from. */
export type TrustedKeys = Map<string, KeyObject>;

/** A {@link TrustedKeys} holding the given keys. */
export function trustKeys(...keys: KeyObject[]): TrustedKeys {
  return new Map(keys.map((k) => [fingerprintOf(k), k]));
}

/** The key file a collector config uses: its `keyFile`, or the default derived from its data dir. */
export function keyFileFor(config: { keyFile: string | null; dataDir: string }, defaultDataDir: string): string {
  return config.keyFile ?? defaultKeyFile(defaultConfigDir(), config.dataDir, defaultDataDir);
}

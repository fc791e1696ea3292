// The desktop app's key store: the private signing key sealed by the OS keychain through Electron's safeStorage
// (Keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux). This file takes safeStorage as a parameter,
// so it is tested with a fake; main.ts passes the real one.
import { FileKeyStore, KeyError, type KeyStore } from '../integrity/signing-key.js';

/** The part of Electron's `safeStorage` the key store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

/** Private key sealed by the OS keychain, stored as a 0600 file (`path`, in the config folder, not the journal). */
export class SafeStorageKeyStore implements KeyStore {
  private readonly file: FileKeyStore;

  constructor(
    private readonly safe: SafeStorageLike,
    readonly path: string,
  ) {
    this.file = new FileKeyStore(path);
  }

  get where(): string {
    return `${this.path} (sealed by the OS keychain)`;
  }

  load(): string | null {
    const sealed = this.file.readBytes();
    if (sealed === null) return null;
    this.requireKeychain();
    try {
      return this.safe.decryptString(sealed);
    } catch (err) {
      throw new KeyError(
        'E_KEY',
        `the OS keychain cannot open the signing key ${this.path}: ${(err as Error).message}`,
      );
    }
  }

  save(pem: string): void {
    this.requireKeychain();
    this.file.saveBytes(this.safe.encryptString(pem));
  }

  private requireKeychain(): void {
    if (!this.safe.isEncryptionAvailable()) {
      throw new KeyError(
        'E_KEY',
        'the OS keychain is not available to seal the signing key; run headless with --key-file instead',
      );
    }
  }
}

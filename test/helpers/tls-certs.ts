/**
 * Test certificates made with the system `openssl`: a private CA, server certificates for localhost / 127.0.0.1
 * signed by it, a client certificate, and a second unrelated CA (the "wrong CA"). EC P-256 keys: quick to make.
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths of one set of test certificates (PEM files in `dir`). */
export interface TestPki {
  dir: string;
  /** The private CA that signed the server and client certificates. */
  caCert: string;
  /** A CA that signed nothing here. */
  otherCaCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Signs a new server certificate (a new key) for localhost / 127.0.0.1 into `name`.pem / `name`.key. */
  issueServer(name: string): { cert: string; key: string };
  /** Removes the folder. */
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function issue(dir: string, name: string, cn: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

const SERVER_EXT =
  'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n';

/** Makes a fresh CA, a server certificate, a client certificate and an unrelated CA in a temp folder. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ic-audit-pki-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  issue(dir, 'server', 'localhost', SERVER_EXT);
  issue(dir, 'client', 'bot-1', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  const path = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: path('ca.pem'),
    otherCaCert: path('other-ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
    issueServer: (name) => {
      issue(dir, name, 'localhost', SERVER_EXT);
      return { cert: path(`${name}.pem`), key: path(`${name}.key`) };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A certificate's SHA-256 fingerprint as Node prints it (`AB:CD:...`). */
export function fingerprint256(certFile: string): string {
  return new X509Certificate(readFileSync(certFile)).fingerprint256;
}

/** Base64 SHA-256 of a certificate's public key (SPKI), as Chromium's --ignore-certificate-errors-spki-list wants. */
export function spkiHash(certFile: string): string {
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

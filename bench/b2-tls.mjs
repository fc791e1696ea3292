// B2-TLS: durable ingest with 8 SDK clients over wss:// (serve --tls-cert/--tls-key, a private CA made here with
// openssl) beside the same over plain ws://, in the same run, interleaved: the cost of encryption.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sdkIngest } from './b2-ingest.mjs';
import { removeDir, startCollector, tempDir } from './lib/collector.mjs';
import { ratio, summarize } from './lib/stats.mjs';

const CLIENTS = 8;

/** A CA and a localhost / 127.0.0.1 server certificate it signed (EC P-256, what a firm's CA would typically issue). */
function makeCerts(dir) {
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=bench-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  execFileSync(
    'sh',
    ['-c', 'printf "subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n" > server.ext'],
    { cwd: dir },
  );
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

export async function run({ quick }) {
  const total = quick ? 60_000 : 500_000;
  const runs = quick ? 3 : 5;
  const scratch = tempDir();
  const certs = makeCerts(scratch);
  const plain = await startCollector();
  const secure = await startCollector({ args: ['--tls-cert', certs.cert, '--tls-key', certs.key] });
  const tlsOptions = { caFile: certs.ca };
  const plainRates = [];
  const tlsRates = [];
  try {
    // Warm-up both (JIT, page cache, one lap of each collector's recent-window ring), as B2 does.
    await sdkIngest(plain.ingestUrl, CLIENTS, 200_000, 120_000);
    await sdkIngest(secure.ingestUrl, CLIENTS, 200_000, 120_000, tlsOptions);
    for (let r = 0; r < runs; r++) {
      // Alternated, so a noisy moment on this shared machine hits both alike.
      plainRates.push([await sdkIngest(plain.ingestUrl, CLIENTS, total, 120_000)]);
      tlsRates.push([await sdkIngest(secure.ingestUrl, CLIENTS, total, 120_000, tlsOptions)]);
    }
  } finally {
    await Promise.all([plain.close(), secure.close()]);
    removeDir(scratch);
  }
  const p = summarize(plainRates);
  const t = summarize(tlsRates);
  const r = ratio(t.median, p.median);
  return [
    {
      id: 'B2-TLS',
      name: `durable ingest, ${CLIENTS} SDK clients over wss:// (TLS 1.3, EC P-256)`,
      unit: 'events/s',
      ...t,
      higher_is_better: true,
      reference: `plain ws:// in the same run (${CLIENTS} clients, interleaved)`,
      reference_median: p.median,
      ratio: r,
      note:
        r === null
          ? ''
          : `TLS / plain = ${r.toFixed(2)}; compare with the spread of both before reading a cost into it`,
    },
  ];
}

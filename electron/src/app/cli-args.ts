import { parseArgs } from 'node:util';
import type { ConfigFlags } from '../settings/config.js';

/** Flags shared by `ic-audit serve`, `npm start` and the Electron main process. */
export const SERVE_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'ingest-token': { type: 'string' },
  nats: { type: 'string' },
  'nats-creds': { type: 'string' },
  'nats-ca': { type: 'string' },
  'nats-stream': { type: 'string' },
  'nats-replicas': { type: 'string' },
  'nats-compress': { type: 'string' },
  'console-only': { type: 'boolean' },
  'legacy-dump-dir': { type: 'string' },
  'key-file': { type: 'string' },
  'witness-file': { type: 'string' },
  'head-interval': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'allow-plaintext': { type: 'boolean' },
} as const;

/** Parses serve flags out of `argv`, ignoring anything else (Electron and Chromium add their own switches). */
export function parseServeFlags(argv: string[]): ConfigFlags {
  const { values } = parseArgs({ args: argv, options: SERVE_OPTIONS, strict: false, allowPositionals: true });
  return serveFlags(values);
}

/** The {@link ConfigFlags} among parsed option values (anything not a serve flag is ignored). */
export function serveFlags(values: Record<string, unknown>): ConfigFlags {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    host: str(values.host),
    port: str(values.port),
    dataDir: str(values['data-dir']),
    ingestToken: str(values['ingest-token']),
    nats: str(values.nats),
    natsCreds: str(values['nats-creds']),
    natsCa: str(values['nats-ca']),
    natsStream: str(values['nats-stream']),
    natsReplicas: str(values['nats-replicas']),
    natsCompress: str(values['nats-compress']),
    consoleOnly: values['console-only'] === true ? true : undefined,
    legacyDumpDir: str(values['legacy-dump-dir']),
    keyFile: str(values['key-file']),
    witnessFile: str(values['witness-file']),
    headInterval: str(values['head-interval']),
    tlsCert: str(values['tls-cert']),
    tlsKey: str(values['tls-key']),
    tlsClientCa: str(values['tls-client-ca']),
    allowPlaintext: values['allow-plaintext'] === true ? true : undefined,
  };
}

#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DEFAULT_DUMP_HOURS } from '@ic-audit/shared';
import { SERVE_OPTIONS, serveFlags } from './cli-args.js';
import { Collector } from './collector/collector.js';
import { ConfigError, resolveConfig } from './config.js';
import { DataDirError, ensureDataDir } from './data-dir.js';
import { acquireLock } from './data-dir-lock.js';
import { writeDump } from './dump/dump-writer.js';
import { importSeedDump } from './import-seed.js';
import { cliManifestSigner, runKey, runKeyRotate, runVerify, runVerifyDump } from './integrity/integrity-cli.js';
import { KeyError } from './integrity/signing-key.js';
import { makeConsole } from './console-factory.js';
import { runServe } from './run-serve.js';
import { VERSION } from './version.js';

const USAGE = `ic-audit ${VERSION}: audit collector for trading bots

Usage:
  ic-audit serve  [--host 127.0.0.1] [--port 9324] [--data-dir ~/.ic-audit] [--ingest-token T]
                  [--nats URL[,URL...] [--nats-creds FILE] [--nats-ca FILE] [--nats-stream IC_AUDIT]
                   [--nats-replicas 3] [--console-only]]     (NATS JetStream scale-out: docs/scaling.md)
  ic-audit dump   [--data-dir D] [--hours 30 | --all] [--project A,B] [--format json|ndjson|csv] [--shape auto|v0.3|v0.4.7] [--out FILE]
                  [--key-file FILE] [--head-interval 60] [--witness-file FILE]   (signed heads: docs/integrity.md)
  ic-audit verify [--data-dir D] [--witness FILE] [--public-key FILE]
  ic-audit verify-dump FILE [--manifest FILE.manifest.json] [--public-key FILE]
  ic-audit key    [--data-dir D] [--key-file FILE]        prints the public key (creates the key on first use)
  ic-audit key rotate [--data-dir D] [--key-file FILE]    new key; the old one signs the hand-over
  ic-audit import FILE [--data-dir D]

Environment: IC_AUDIT_HOST, IC_AUDIT_PORT, IC_AUDIT_HOME, IC_AUDIT_INGEST_TOKEN, IC_AUDIT_NATS, IC_AUDIT_NATS_CREDS,
IC_AUDIT_NATS_CA, IC_AUDIT_NATS_STREAM, IC_AUDIT_NATS_REPLICAS, IC_AUDIT_CONSOLE_ONLY=1, IC_AUDIT_KEY_FILE,
IC_AUDIT_CONFIG_DIR, IC_AUDIT_HEAD_INTERVAL, IC_AUDIT_WITNESS_FILE.
Exit codes: 0 ok, 1 verify / verify-dump found tampering or loss, 2 usage, configuration, key or I/O error.`;

/** Exit codes of every command. */
export const Exit = { OK: 0, BROKEN: 1, USAGE: 2 } as const;

function fail(message: string): number {
  process.stderr.write(`ic-audit: ${message}\n`);
  return Exit.USAGE;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        ...SERVE_OPTIONS,
        hours: { type: 'string' },
        all: { type: 'boolean' },
        project: { type: 'string' },
        format: { type: 'string' },
        shape: { type: 'string' },
        out: { type: 'string' },
        witness: { type: 'string' },
        'public-key': { type: 'string' },
        manifest: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help || command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? Exit.USAGE : Exit.OK;
  }
  const flags = serveFlags(values);
  let config;
  try {
    config = resolveConfig(flags);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  try {
    switch (command) {
      case 'serve':
        return await runServe(config, makeConsole);
      case 'verify':
        return await runVerify(config, {
          ...(values.witness !== undefined ? { witness: values.witness } : {}),
          ...(values['public-key'] !== undefined ? { publicKey: values['public-key'] } : {}),
        });
      case 'verify-dump': {
        const file = positionals[0];
        if (file === undefined) return fail('verify-dump needs a FILE (a dump; its manifest is FILE.manifest.json)');
        return runVerifyDump(config, file, {
          ...(values.manifest !== undefined ? { manifest: values.manifest } : {}),
          ...(values['public-key'] !== undefined ? { publicKey: values['public-key'] } : {}),
        });
      }
      case 'key':
        if (positionals[0] === 'rotate') return await runKeyRotate(config);
        if (positionals[0] !== undefined) return fail(`unknown key command ${JSON.stringify(positionals[0])}`);
        return runKey(config);
      case 'dump': {
        const format = (values.format ?? 'json') as 'json' | 'ndjson' | 'csv';
        if (!['json', 'ndjson', 'csv'].includes(format)) return fail('--format must be json, ndjson or csv');
        const hours = values.hours === undefined ? DEFAULT_DUMP_HOURS : Number(values.hours);
        if (!(hours > 0)) return fail('--hours must be a positive number');
        const shape = values.shape ?? 'auto';
        if (shape !== 'auto' && shape !== 'v0.3' && shape !== 'v0.4.7') return fail('--shape must be auto, v0.3 or v0.4.7');
        const result = await writeDump(
          config.dataDir,
          {
            hours,
            all: values.all ?? false,
            projects: values.project ? values.project.split(',').map((p) => p.trim()).filter(Boolean) : [],
            format,
            shape,
            ...(values.out !== undefined ? { out: values.out } : {}),
          },
          { now: Date.now, signer: cliManifestSigner(config) },
        );
        process.stdout.write(`${result.path}\n${result.projects} projects, ${result.events} events; manifest ${result.manifest}\n`);
        return Exit.OK;
      }
      case 'import': {
        const file = positionals[0];
        if (file === undefined) return fail('import needs a FILE (a dumped_audit_trails.json)');
        ensureDataDir(config.dataDir);
        const release = await acquireLock(config.dataDir);
        try {
          const collector = await Collector.open(config);
          try {
            const r = await importSeedDump(file, collector);
            process.stdout.write(
              `imported ${r.events} events of ${r.projects} projects` +
                (r.skipped.length ? `; already imported: ${r.skipped.join(', ')}` : '') +
                (r.rejected.length ? `; ${r.rejected.length} rejected:\n` + r.rejected.map((x) => `  ${x.project}[${x.index}]: ${x.error}`).join('\n') : '') +
                '\n',
            );
          } finally {
            await collector.close();
          }
        } finally {
          release();
        }
        return Exit.OK;
      }
      default:
        return fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof KeyError) return fail(`${err.code}: ${err.message}`);
    if (err instanceof DataDirError) {
      return fail(err.code === 'E_LOCKED' ? `${err.message}; stop it first (or send events to it over /ingest)` : err.message);
    }
    return fail((err as Error).message);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`ic-audit: ${err.stack ?? err.message}\n`);
    process.exitCode = Exit.USAGE;
  },
);

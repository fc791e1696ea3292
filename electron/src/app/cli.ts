#!/usr/bin/env node
import { serveFlags } from './cli-args.js';
import { commandHelp, globalHelp, parseFlags, UsageError } from './cli/parse-flags.js';
import { commandSpec, type CommandSpec } from './cli/commands.js';
import { runDump } from './cli/dump-command.js';
import { runImport } from './cli/import-command.js';
import { startProgress } from './cli/progress.js';
import { ConfigError, DEFAULTS, resolveConfig, type CollectorConfig } from '../settings/config.js';
import { DataDirError, requireJournal } from '../settings/data-dir.js';
import { ImportError } from './import-seed.js';
import { printVerdict, runKey, runKeyRotate, runVerify, runVerifyDump } from './cli/integrity-command.js';
import { KeyError } from '../integrity/signing-key.js';
import { makeConsole } from './console-factory.js';
import { runServe } from './run-serve.js';
import { VERSION } from '../settings/version.js';

/** Exit codes of every command. */
export const Exit = { OK: 0, BROKEN: 1, USAGE: 2 } as const;

function fail(message: string): number {
  process.stderr.write(`ic-audit: ${message}\n`);
  return Exit.USAGE;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(globalHelp(VERSION));
    return Exit.USAGE;
  }
  if (command === '-h' || command === '--help' || command === 'help') {
    const spec = rest[0] === undefined ? undefined : commandSpec(rest[0]);
    if (rest[0] !== undefined && spec === undefined)
      return fail(`unknown command "${rest[0]}" (ic-audit --help lists the commands)`);
    process.stdout.write(spec === undefined ? globalHelp(VERSION) : commandHelp(spec));
    return Exit.OK;
  }
  if (command === '-V' || command === '--version' || command === 'version') {
    process.stdout.write(`ic-audit ${VERSION}\n`);
    return Exit.OK;
  }
  const spec = commandSpec(command);
  if (spec === undefined) {
    return fail(
      command.startsWith('-')
        ? `${command} is not a command; the command comes first (ic-audit --help lists them)`
        : `unknown command "${command}" (ic-audit --help lists the commands)`,
    );
  }
  let parsed;
  try {
    parsed = parseFlags(spec, rest);
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message);
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(commandHelp(spec));
    return Exit.OK;
  }
  const json = spec.name === 'verify' && parsed.values['json'] === true;
  let config: CollectorConfig | undefined;
  try {
    config = resolveConfig(serveFlags(parsed.values));
    return await run(spec, config, parsed.values, parsed.positionals);
  } catch (err) {
    const e = err as Error & { code?: string };
    const known =
      err instanceof ConfigError ||
      err instanceof KeyError ||
      err instanceof DataDirError ||
      err instanceof ImportError;
    if (json) {
      printVerdict({
        ok: false,
        verdict: 'error',
        data_dir: config?.dataDir ?? '',
        error: { code: known ? e.code! : 'E_IO', message: e.message },
      });
      return Exit.USAGE;
    }
    if (err instanceof DataDirError && err.code === 'E_LOCKED') {
      return fail(`${err.message}; stop it first (or send events to it over /ingest)`);
    }
    if (err instanceof KeyError || err instanceof ImportError) return fail(`${err.code}: ${err.message}`);
    return fail(e.message);
  }
}

async function run(
  spec: CommandSpec,
  config: CollectorConfig,
  values: Record<string, string | boolean>,
  positionals: string[],
): Promise<number> {
  const quiet = values['quiet'] === true;
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  switch (spec.name) {
    case 'serve':
      return runServe(config, makeConsole);
    case 'verify': {
      requireJournal(config.dataDir, DEFAULTS.dataDir);
      const progress = startProgress('verify', null, 'bytes', { quiet: quiet || values['json'] === true });
      let total = -1;
      try {
        return await runVerify(config, {
          ...(str('witness') !== undefined ? { witness: str('witness')! } : {}),
          ...(str('public-key') !== undefined ? { publicKey: str('public-key')! } : {}),
          json: values['json'] === true,
          onProgress: (bytes, all) => {
            if (all !== total) progress.phase('verify', (total = all));
            progress.update(bytes);
          },
          onScanned: () => progress.end(),
        });
      } finally {
        progress.end();
      }
    }
    case 'verify-dump':
      return runVerifyDump(config, positionals[0]!, {
        ...(str('manifest') !== undefined ? { manifest: str('manifest')! } : {}),
        ...(str('public-key') !== undefined ? { publicKey: str('public-key')! } : {}),
      });
    case 'key':
      if (positionals[0] === 'rotate') return runKeyRotate(config);
      if (positionals[0] !== undefined)
        return fail(`unknown key command "${positionals[0]}" (only: ic-audit key rotate)`);
      return runKey(config);
    case 'dump':
      return runDump(config, values);
    case 'import':
      return runImport(config, positionals[0]!, quiet);
    default:
      return fail(`unknown command "${spec.name}"`);
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

#!/usr/bin/env node
// `npm start`: the desktop console when Electron can run here, else the same collector headless with the console
// URL printed, and why.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseServeFlags } from './cli-args.js';
import { ConfigError, resolveConfig } from '../settings/config.js';
import { makeConsole } from './console-factory.js';
import { planLaunch } from './launcher.js';
import { electronJsFlags } from './node-flags.js';
import { runServe } from './run-serve.js';

/** Seconds within which an Electron exit with an error counts as "could not start" (then run headless). */
const EARLY_EXIT_MS = 5_000;

async function headless(reason: string, argv: string[]): Promise<number> {
  process.stdout.write(`ic-audit: running headless: ${reason}\n`);
  let config;
  try {
    config = resolveConfig(parseServeFlags(argv));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ic-audit: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return runServe(config, makeConsole);
}

async function main(argv: string[]): Promise<number> {
  const plan = planLaunch();
  if (plan.mode === 'headless') return headless(plan.reason, argv);
  const mainJs = join(dirname(fileURLToPath(import.meta.url)), '..', 'shell', 'main.js');
  // Chromium refuses to run as root without --no-sandbox (the renderer stays sandboxed by the window options).
  const extra = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const started = Date.now();
  // The shell commits the journal on quit: pass Ctrl+C / SIGTERM on and wait for it. Installed before the
  // child exists, so a signal that follows its first output can never meet the default handler.
  let child: ReturnType<typeof spawn> | null = null;
  let stopRequested = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopRequested = true;
      child?.kill(signal);
    });
  }
  child = spawn(plan.binary, [electronJsFlags(), mainJs, ...extra, ...argv], { stdio: 'inherit' });
  const spawned = child;
  let spawnError = '';
  const code = await new Promise<number>((resolve) => {
    spawned.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err.code ?? err.message;
      resolve(127);
    });
    // A child killed by a signal exits the way a shell reports it: 128 + the signal's number.
    spawned.on('exit', (c, signal) => resolve(c ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1)));
  });
  // An Electron that died of the stop we passed on did not fail to start: stop, don't fall back to headless.
  if (code !== 0 && code !== 2 && !stopRequested && Date.now() - started < EARLY_EXIT_MS) {
    return headless(
      spawnError
        ? `could not start Electron (${spawnError})`
        : `Electron exited with code ${code} right after starting`,
      argv,
    );
  }
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`ic-audit: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);

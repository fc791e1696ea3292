import { once } from 'node:events';
import { createReadStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_DUMP_HOURS } from '@ic-audit/shared';
import { DEFAULTS, type CollectorConfig } from '../../settings/config.js';
import { requireJournal } from '../../settings/data-dir.js';
import { DUMPS_DIR, writeDump } from '../../dump/dump-writer.js';
import { cliManifestSigner } from './integrity-command.js';
import { startProgress } from './progress.js';

type Format = 'json' | 'ndjson' | 'csv';

/** `ic-audit dump`: flags already checked by parse-flags (conflicts, values). Resolves with the exit code. */
export async function runDump(config: CollectorConfig, values: Record<string, string | boolean>): Promise<number> {
  requireJournal(config.dataDir, DEFAULTS.dataDir);
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? values[k] : undefined);
  const format = (str('format') ?? 'json') as Format;
  const projects = (str('project') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const toStdout = str('out') === '-';
  // To stdout: written to a file first (the manifest hashes the finished file, and a half-written dump must not
  // reach the pipe when the write fails), then copied out and removed; the manifest stays, named in stderr.
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = toStdout ? join(config.dataDir, DUMPS_DIR, `stdout-${stamp}.${format}`) : str('out');
  const progress = startProgress('dump', null, 'bytes', { quiet: values['quiet'] === true });
  let total = -1;
  let known: readonly string[] = [];
  let result;
  try {
    result = await writeDump(
      config.dataDir,
      {
        hours: str('hours') === undefined ? DEFAULT_DUMP_HOURS : Number(str('hours')),
        all: values['all'] === true,
        projects,
        format,
        shape: (str('shape') ?? 'auto') as 'auto' | 'v0.3' | 'v0.4.7',
        ...(out !== undefined ? { out } : {}),
      },
      {
        now: Date.now,
        signer: cliManifestSigner(config),
        onProgress: (bytes, all, events) => {
          if (all !== total) progress.phase('dump', (total = all));
          progress.update(bytes, `${events.toLocaleString('en-US')} events`);
        },
        onProjects: (names) => void (known = names),
      },
    );
  } finally {
    progress.end();
  }
  const unknown = projects.filter((p) => !known.includes(p));
  if (unknown.length > 0) {
    const list = known.length === 0 ? 'the journal has no projects' : `known projects: ${known.join(', ')}`;
    process.stderr.write(
      `ic-audit: warning: no project named ${unknown.map((p) => JSON.stringify(p)).join(', ')} in ${config.dataDir}; ${list}\n`,
    );
  }
  const summary = `${result.projects} projects, ${result.events} events; manifest ${result.manifest}`;
  if (!toStdout) {
    process.stdout.write(`${result.path}\n${summary}\n`);
    return 0;
  }
  try {
    await copyToStdout(result.path);
  } finally {
    rmSync(result.path, { force: true });
  }
  if (values['quiet'] !== true) process.stderr.write(`ic-audit: dumped to stdout: ${summary}\n`);
  return 0;
}

/** Copies a file to stdout, honouring backpressure; a reader that went away (EPIPE) ends the copy quietly. */
async function copyToStdout(file: string): Promise<void> {
  const stdout = process.stdout;
  let closed = false;
  const onError = (): void => void (closed = true);
  stdout.on('error', onError);
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (closed) break;
      if (!stdout.write(chunk)) await Promise.race([once(stdout, 'drain'), once(stdout, 'close')]);
    }
  } finally {
    stdout.off('error', onError);
  }
}

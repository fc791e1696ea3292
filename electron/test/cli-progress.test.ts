/**
 * Long CLI jobs as a user sees them (issue #15): a progress line redrawn in place on a terminal (a real
 * pseudo-terminal from python3's pty module), none through a pipe or with --quiet, no colour with NO_COLOR; and
 * `import` of a file larger than the heap it is allowed, streaming, with no checkpoint race past 100k events.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../test/helpers/collector.js';

/** python3: run argv on a new pseudo-terminal, copy what it prints to our stdout, exit with its status. */
const PTY = 'import os, pty, sys\nstatus = pty.spawn(sys.argv[1:])\nsys.exit(os.waitstatus_to_exitcode(status))';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(
  argv: string[],
  opts: { tty?: boolean; env?: Record<string, string | undefined>; node?: string[] } = {},
): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, COLUMNS: '120', ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const cmd = [process.execPath, ...(opts.node ?? []), CLI, ...argv];
  const child = opts.tty
    ? spawn('python3', ['-c', PTY, ...cmd], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(cmd[0]!, cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let root: string;
let big: string;
let dataDir: string;
const EVENTS = 110_000;

/** A Python-style dump of EVENTS entries (~68 MB), written in pieces so this process holds little of it. */
function writeBigDump(file: string): void {
  const fd = openSync(file, 'w');
  const pad = 'x'.repeat(450);
  writeSync(fd, '{"Big": [');
  for (let start = 0; start < EVENTS; start += 1_000) {
    const part: string[] = [];
    for (let i = start; i < start + 1_000; i++) {
      part.push(
        `{"event_type": "${i === 0 ? 'boot' : 'trade_opened'}", "event_description": "${pad}", "timestamp": 1692345600.5, "n": ${i}, "price": 250.0, "pnl": NaN, "project_name": "Big", "project_market": "FX"}`,
      );
    }
    writeSync(fd, (start === 0 ? '' : ', ') + part.join(', '));
  }
  writeSync(fd, '], "external_hosts": []}');
  closeSync(fd);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ic-audit-progress-'));
  big = join(root, 'big.json');
  dataDir = join(root, 'data');
  writeBigDump(big);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const keyFile = (): string[] => ['--key-file', join(root, 'key.pem')];

describe('ic-audit import: streaming, bounded memory', () => {
  it('imports a file larger than its heap limit, showing progress on a terminal, without the checkpoint race', async () => {
    const heapMb = 48;
    expect(statSync(big).size).toBeGreaterThan(heapMb * 1024 * 1024);
    const r = await run(['import', big, '--data-dir', dataDir, ...keyFile()], {
      tty: true,
      node: [`--max-old-space-size=${heapMb}`],
    });
    // On the pty, stdout and stderr are one stream.
    expect(r.stdout).toContain(`imported ${EVENTS} events of 1 projects`);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('checkpoint not written');
    expect(r.stdout).toMatch(/\rimport(: checking)? +[\d.]+ [kMG]?B \/ 6\d\.\d MB +\d+% +\[/);
    expect(r.stdout).toContain('\x1b[K');
  }, 120_000);
});

describe('progress lines', () => {
  it('verify and dump draw a progress line on a terminal, coloured unless NO_COLOR', async () => {
    const v = await run(['verify', '--data-dir', dataDir, ...keyFile()], {
      tty: true,
      env: { NO_COLOR: undefined, TERM: 'xterm' },
    });
    expect(v.status).toBe(0);
    expect(v.stdout).toMatch(/\rverify +[\d.]+ [kMG]?B \/ [\d.]+ MB +\d+% +\[\x1b\[32m/);
    expect(v.stdout).toMatch(/\r\x1b\[K(\r?\n)?OK: chain intact/);
    const plain = await run(['verify', '--data-dir', dataDir, ...keyFile()], {
      tty: true,
      env: { NO_COLOR: '1', TERM: 'xterm' },
    });
    expect(plain.stdout).toMatch(/\rverify .*\[[#-]+\]/);
    expect(plain.stdout).not.toContain('\x1b[32m');
    const d = await run(
      ['dump', '--all', '--data-dir', dataDir, '--out', join(root, 'd.ndjson'), '--format', 'ndjson', ...keyFile()],
      { tty: true },
    );
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/\rdump +[\d.]+ [kMG]?B \/ [\d.]+ MB .*events/);
  }, 120_000);

  it('nothing is drawn when stderr is not a terminal, or with --quiet', async () => {
    const piped = await run(['verify', '--data-dir', dataDir, ...keyFile()]);
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/^OK: chain intact/);
    const quiet = await run(
      [
        'dump',
        '--all',
        '--quiet',
        '--data-dir',
        dataDir,
        '--out',
        join(root, 'q.csv'),
        '--format',
        'csv',
        ...keyFile(),
      ],
      { tty: true },
    );
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).not.toMatch(/\rdump/);
    expect(quiet.stdout).not.toContain('\x1b[K');
  }, 120_000);
});

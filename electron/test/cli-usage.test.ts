/**
 * The CLI as a user runs it (child processes of the built CLI): mistakes fail loudly with one sentence and exit 2,
 * each command has its own help, `--out -` writes to stdout, `verify --json` prints one verdict (issue #15).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../../test/helpers/collector.js';

const cli = (
  args: string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

let root: string;
let dataDir: string;
const boot =
  '{"event_type": "boot", "event_description": "Project was booted.", "timestamp": 1692345600.5, "project_name": "Alpha", "project_market": "FX", "project_description": "d", "project_privileges": ["execute_trade"]}';
const trade =
  '{"event_type": "trade_opened", "event_description": "t", "timestamp": 1692345660.5, "price": 250.0, "project_name": "Alpha"}';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ic-audit-cli-'));
  dataDir = join(root, 'data');
  const file = join(root, 'seed.json');
  writeFileSync(file, `{"Alpha": [${boot}, ${trade}]}`);
  const r = cli(['import', file, '--data-dir', dataDir, '--key-file', join(root, 'key.pem')]);
  expect(r.status).toBe(0);
  expect(r.stderr).toContain(`no journal in ${dataDir} yet: creating one`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One line on stderr, naming what went wrong, nothing on stdout, exit 2. */
function expectUsage(r: ReturnType<typeof cli>, sentence: RegExp): void {
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(sentence);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/ERR_PARSE_ARGS|TypeError|at .*\.js:\d+|Invalid time value/);
}

describe('ic-audit CLI: mistakes fail loudly', () => {
  it('verify, dump and import refuse a data dir without a journal, and create nothing', () => {
    const typo = join(root, 'typo');
    expectUsage(cli(['verify', '--data-dir', typo]), /^ic-audit: no journal in .*typo; the default is .*\.ic-audit$/m);
    expectUsage(cli(['dump', '--data-dir', typo]), /no journal in .*typo; the default is/);
    expect(existsSync(typo)).toBe(false);
    const json = cli(['verify', '--json', '--data-dir', typo]);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, verdict: 'error', error: { code: 'E_NO_JOURNAL' } });
    expectUsage(cli(['import', join(root, 'missing.json'), '--data-dir', typo]), /missing\.json is not a file/);
    expect(existsSync(typo)).toBe(false);
  });

  it('conflicting flags, flags of another command, bad values and unknown flags get one sentence', () => {
    const d = ['--data-dir', dataDir];
    expectUsage(cli(['dump', '--hours', '5', '--all', ...d]), /--all and --hours cannot be used together/);
    expectUsage(cli(['verify', '--hours', '3', ...d]), /verify has no flag --hours \(it is a flag of dump\)/);
    expectUsage(
      cli(['dump', '--hours', 'Infinity', ...d]),
      /--hours expects a positive number of hours, got "Infinity"/,
    );
    expectUsage(cli(['dump', '--hours', '-3', ...d]), /--hours expects a positive number of hours, got "-3"/);
    expectUsage(cli(['dump', '--hours']), /--hours expects a positive number of hours$/m);
    expectUsage(cli(['dump', '--format', 'xml', ...d]), /--format expects json, ndjson or csv, got "xml"/);
    expectUsage(cli(['verify', '--bogus']), /verify has no flag --bogus; ic-audit verify --help lists its flags/);
    expectUsage(cli(['dump', '--all=yes', ...d]), /--all takes no value/);
    expectUsage(cli(['verify', 'extra', ...d]), /verify takes no arguments, got "extra"/);
    expectUsage(cli(['import']), /import needs one dump FILE/);
    expectUsage(cli(['frobnicate']), /unknown command "frobnicate"/);
    expectUsage(cli(['--port', '1']), /--port is not a command; the command comes first/);
  });

  it('an unknown --project is a warning naming the known projects', () => {
    const out = join(root, 'p.json');
    const r = cli(['dump', '--all', '--project', 'Nope', '--data-dir', dataDir, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`warning: no project named "Nope" in ${dataDir}; known projects: Alpha`);
  });
});

describe('ic-audit CLI: help, version, stdout, JSON verdict', () => {
  it('--version, -V, -h and each command its own --help', () => {
    for (const flag of ['--version', '-V']) {
      const v = cli([flag]);
      expect(v.status).toBe(0);
      expect(v.stdout).toMatch(/^ic-audit \d+\.\d+\.\d+\n$/);
    }
    const h = cli(['-h']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/Commands:\n\s+serve/);
    const helps = new Set<string>();
    for (const cmd of ['serve', 'dump', 'verify', 'verify-dump', 'key', 'import']) {
      const r = cli([cmd, '--help']);
      expect(r.status, cmd).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^ic-audit ${cmd}: `));
      expect(r.stdout).toContain(`Usage: ic-audit ${cmd}`);
      helps.add(r.stdout);
    }
    expect(helps.size).toBe(6);
    expect(cli(['dump', '-h']).stdout).toContain('--hours HOURS');
    expect(cli(['serve', '--help']).stdout).toContain('--legacy-dump-dir DIR');
    expect(cli(['verify', '--help']).stdout).not.toContain('--hours');
    expect(cli(['help', 'import']).stdout).toContain('Usage: ic-audit import FILE');
  });

  it('dump --out - writes the dump to stdout and no file named "-"; its manifest checks it', () => {
    const r = cli(['dump', '--all', '--out', '-', '--data-dir', dataDir, '--key-file', join(root, 'key.pem')], {});
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`{"Alpha": [${boot}, ${trade}]}`);
    expect(existsSync('-')).toBe(false);
    expect(existsSync(join(process.cwd(), '-'))).toBe(false);
    const manifest = r.stderr.match(/manifest (\S+\.manifest\.json)/)?.[1];
    expect(manifest).toBeDefined();
    // The temporary dump file is gone; only manifests stay in dumps/.
    expect(readdirSync(join(dataDir, 'dumps')).filter((f) => !f.endsWith('.manifest.json') && f !== 'p.json')).toEqual(
      [],
    );
    const copy = join(root, 'from-stdout.json');
    writeFileSync(copy, r.stdout);
    const v = cli([
      'verify-dump',
      copy,
      '--manifest',
      manifest!,
      '--data-dir',
      dataDir,
      '--key-file',
      join(root, 'key.pem'),
    ]);
    expect(v.stdout).toMatch(/^OK: /);
    expect(v.status).toBe(0);
  });

  it('verify --json prints one verdict: intact, then broken after an edit', () => {
    const keyArgs = ['--data-dir', dataDir, '--key-file', join(root, 'key.pem')];
    const ok = cli(['verify', '--json', ...keyArgs]);
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      ok: true,
      verdict: 'intact',
      data_dir: dataDir,
      first_break: null,
      findings: [],
    });
    const copyDir = join(root, 'edited');
    spawnSync('cp', ['-r', dataDir, copyDir]);
    const seg = join(
      copyDir,
      'journal',
      readdirSync(join(copyDir, 'journal')).find((f) => f.endsWith('.jsonl'))!,
    );
    spawnSync('sed', ['-i', 's/250\\.0/251.0/', seg]);
    const bad = cli(['verify', '--json', '--data-dir', copyDir, '--key-file', join(root, 'key.pem')]);
    expect(bad.status).toBe(1);
    const verdict = JSON.parse(bad.stdout);
    expect(verdict).toMatchObject({ ok: false, verdict: 'broken', first_break: { fault: 'hash' } });
  });
});

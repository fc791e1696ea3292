import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COLLECTOR_NODE_FLAGS, electronJsFlags } from '../src/app/node-flags.js';
import { tempDataDir } from '../../test/helpers/collector.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'electron/bin/ic-audit.mjs');
const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

describe('collector node flags', () => {
  const flags = COLLECTOR_NODE_FLAGS.join(' ');

  it('npm start and npm run serve start node with them', () => {
    const scripts = (
      JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['start']).toContain(`node ${flags} electron/dist/app/start.js`);
    expect(scripts['serve']).toBe(`node ${flags} electron/dist/app/cli.js serve`);
  });

  it('Electron gets them as one --js-flags switch', () => {
    expect(electronJsFlags()).toBe(`--js-flags=${flags}`);
  });

  it('the ic-audit command runs node with them (its #! line), and serves', async () => {
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    const dataDir = tempDataDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Run as an executable, so the kernel and env read the #! line (not `node BIN`, which would skip it).
    const child = spawn(BIN, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((res) => child.once('exit', res));
    cleanup.push(() => child.kill('SIGKILL'));
    let out = '';
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (/console\s+http/.test(out)) res();
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      void exited.then(() => rej(new Error(`exited before listening:\n${out}`)));
    });
    // env execs node in place: the child's pid is node's, and its argv carries the flags before the script.
    const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(1, 1 + COLLECTOR_NODE_FLAGS.length)).toEqual([...COLLECTOR_NODE_FLAGS]);
    expect(argv).toContain('serve');
    child.kill('SIGTERM');
    await exited;
  });
});

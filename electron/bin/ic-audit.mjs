#!/usr/bin/env -S node --max-semi-space-size=64
// The `ic-audit` command. A committed file (not a build output), so `npm ci` links it into node_modules/.bin even on
// a fresh clone; it builds the collector once if that was not done yet, then runs the CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/app/cli.js', import.meta.url));
if (!existsSync(cli)) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  process.stderr.write('ic-audit: first run: building (npm run build)…\n');
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0 || !existsSync(cli)) {
    process.stderr.write('ic-audit: the build failed; run `npm run build` in the repository and try again\n');
    process.exit(2);
  }
}
await import(pathToFileURL(cli).href);

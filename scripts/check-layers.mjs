#!/usr/bin/env node
// Enforces the layering rules of the product brief on every source file:
//   shared/    imports nothing runtime-specific (no node:*, electron, ws, react)
//   renderer/  never imports electron/, node:* or ws
//   electron   (the module) only in the shell files electron/src/shell/*
//   client-sdk imports only shared and ws (plus node:* builtins it feature-detects)
// Prints each violation as file:line and exits 1 when there is any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const IMPORT_RE =
  /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

const rules = [
  {
    dir: 'shared/src',
    bad: (spec) => /^(node:|electron$|ws$|react|zustand)/.test(spec) || isNodeBuiltin(spec),
    why: 'shared/ must stay runtime-neutral',
  },
  {
    dir: 'renderer/src',
    bad: (spec) => /^(node:|electron$|ws$)/.test(spec) || /(^|\/)electron\//.test(spec) || isNodeBuiltin(spec),
    why: 'renderer/ never imports electron/, node:* or ws',
  },
  {
    dir: 'client-sdk/src',
    bad: (spec) => spec === 'electron' || /^(react|zustand)/.test(spec) || /(^|\/)(electron|renderer)\//.test(spec),
    why: 'client-sdk/ imports only shared, ws and node builtins',
  },
  {
    dir: 'electron/src',
    bad: (spec, file) => spec === 'electron' && !file.includes(`${sep}shell${sep}`),
    why: "only the shell files (electron/src/shell/) import 'electron'",
  },
];

const BUILTINS = new Set([
  'fs',
  'path',
  'os',
  'net',
  'http',
  'https',
  'crypto',
  'child_process',
  'stream',
  'util',
  'events',
  'url',
  'worker_threads',
  'readline',
  'zlib',
  'tls',
  'dns',
]);
function isNodeBuiltin(spec) {
  return BUILTINS.has(spec.split('/')[0]);
}

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield p;
  }
}

let violations = 0;
for (const rule of rules) {
  for (const file of walk(join(root, rule.dir))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (spec && rule.bad(spec, file)) {
        const line = text.slice(0, m.index).split('\n').length;
        console.error(`${relative(root, file)}:${line}: imports '${spec}': ${rule.why}`);
        violations++;
      }
    }
  }
}
if (violations > 0) {
  console.error(`layering: ${violations} violation(s)`);
  process.exit(1);
}
console.log('layering: ok');

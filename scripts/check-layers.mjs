#!/usr/bin/env node
// Enforces the layering rules of the product brief on every source file:
//   shared/    imports nothing runtime-specific (no node:*, electron, ws, react)
//   renderer/  never imports electron/, node:* or ws
//   electron   (the module) only in the shell files electron/src/shell/*
//   client-sdk imports only shared and ws (plus node:* builtins it feature-detects)
//   electron/src floors (docs/architecture.md), each folder importing only its own floor or lower ones:
//     shell > app > console > nats | server > collector > read-model > dump > integrity > settings > journal
//   adapters (console, nats, server) reach the collector only through its ports, collector/api.ts
//   no import circles inside any package (type-only imports included)
// Prints each violation as file:line and exits 1 when there is any.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

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
// ---- floors inside electron/src ------------------------------------------------------------------------------
const FLOORS = {
  shell: 10,
  app: 9,
  console: 8,
  nats: 7,
  server: 7,
  collector: 6,
  'read-model': 5,
  dump: 4,
  integrity: 3,
  settings: 2,
  journal: 1,
};
/** Adapters see the collector only through these files (its ports). */
const COLLECTOR_PORTS = new Set(['collector/api.ts']);
const ADAPTERS = new Set(['console', 'nats', 'server']);

const electronSrc = join(root, 'electron/src');
const folderOf = (file) => relative(electronSrc, file).split(sep)[0];
for (const file of walk(electronSrc)) {
  const from = folderOf(file);
  if (!(from in FLOORS)) {
    console.error(
      `${relative(root, file)}: electron/src/${from} is not a known floor (add it to FLOORS in ${relative(root, import.meta.filename)})`,
    );
    violations++;
    continue;
  }
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (!spec?.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    const to = folderOf(target);
    const line = text.slice(0, m.index).split('\n').length;
    const where = `${relative(root, file)}:${line}: imports '${spec}'`;
    if (to === from) continue;
    if (!(to in FLOORS)) continue;
    if (FLOORS[to] >= FLOORS[from]) {
      console.error(
        `${where}: ${from}/ (floor ${FLOORS[from]}) may not import ${to}/ (floor ${FLOORS[to]}): arrows run down only`,
      );
      violations++;
    } else if (ADAPTERS.has(from) && to === 'collector') {
      const port = relative(electronSrc, target).replace(/\.js$/, '.ts').split(sep).join('/');
      if (!COLLECTOR_PORTS.has(port)) {
        console.error(`${where}: ${from}/ reaches the collector only through its ports (collector/api.ts)`);
        violations++;
      }
    }
  }
}

// ---- no circles ------------------------------------------------------------------------------------------------
function sourceOf(file, spec) {
  const base = resolve(dirname(file), spec);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}
for (const pkg of ['shared/src', 'client-sdk/src', 'electron/src', 'renderer/src']) {
  const graph = new Map();
  for (const file of walk(join(root, pkg))) {
    const deps = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec?.startsWith('.')) continue;
      const dep = sourceOf(file, spec);
      if (dep !== null) deps.push(dep);
    }
    graph.set(file, deps);
  }
  const state = new Map(); // 1 = on the stack, 2 = done
  const stack = [];
  const reported = new Set();
  const visit = (file) => {
    state.set(file, 1);
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 1) {
        const cycle = stack.slice(stack.indexOf(dep)).map((f) => relative(root, f));
        const key = [...cycle].sort().join('|');
        if (!reported.has(key)) {
          reported.add(key);
          console.error(`import circle: ${[...cycle, relative(root, dep)].join(' -> ')}`);
          violations++;
        }
      } else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 2);
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
}

if (violations > 0) {
  console.error(`layering: ${violations} violation(s)`);
  process.exit(1);
}
console.log('layering: ok');

// Builds the publishable package: ESM + CJS bundles (with @ic-audit/shared inlined, so only `ws` is a runtime
// dependency) and type declarations whose imports of @ic-audit/shared point at bundled copies of its .d.ts.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const sharedDist = join(root, '..', 'shared', 'dist');
rmSync(dist, { recursive: true, force: true });
rmSync(join(root, 'tsconfig.tsbuildinfo'), { force: true });

const common = {
  entryPoints: [join(root, 'src', 'index.ts')],
  bundle: true,
  platform: 'node',
  target: 'node18',
  external: ['ws'],
  sourcemap: false,
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', outfile: join(dist, 'index.js') });
await build({ ...common, format: 'cjs', outfile: join(dist, 'index.cjs') });

// Declarations: shared's .d.ts go to dist/types/shared and imports of @ic-audit/shared are rewritten to them.
// tsc writes to dist/tsc (also what a root `tsc -b` would touch); the shipped copies are rewritten from there.
const tsc = join(root, '..', 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
const types = join(dist, 'types');
cpSync(join(dist, 'tsc'), types, { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
mkdirSync(join(types, 'shared'), { recursive: true });
for (const f of readdirSync(sharedDist)) if (f.endsWith('.d.ts')) cpSync(join(sharedDist, f), join(types, 'shared', f));

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}
const cjsTypes = join(dist, 'cjs-types');
for (const file of walk(types)) {
  if (!file.endsWith('.d.ts')) continue;
  let text = readFileSync(file, 'utf8');
  let spec = relative(dirname(file), join(types, 'shared', 'index.js')).replaceAll('\\', '/');
  if (!spec.startsWith('.')) spec = './' + spec;
  text = text.replaceAll(/(['"])@ic-audit\/shared\1/g, `'${spec}'`).replace(/\n\/\/# sourceMappingURL=.*$/m, '');
  writeFileSync(file, text);
  // The CJS entry needs .d.cts files (a "type": "module" package's .d.ts are ESM to TypeScript).
  const cts = join(cjsTypes, relative(types, file)).replace(/\.d\.ts$/, '.d.cts');
  mkdirSync(dirname(cts), { recursive: true });
  writeFileSync(cts, text.replaceAll(/(from\s+['"]\.[^'"]*)\.js(['"])/g, '$1.cjs$2'));
}

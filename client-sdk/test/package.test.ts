/** The publishable package: built entry points, self-contained types, tarball contents, documented defaults. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as esm from '@ic-audit/client';
import { DEFAULTS } from '../src/defaults.js';
import { SDK_NAME, SDK_VERSION } from '../src/version.js';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license?: string;
  repository?: { type: string; url: string; directory?: string };
  publishConfig?: { access?: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

describe('@ic-audit/client package', () => {
  it('ESM and CJS builds export the same API', () => {
    const cjs = createRequire(import.meta.url)('@ic-audit/client') as Record<string, unknown>;
    const names = [
      'AuditNotifier',
      'fastAudit',
      'triggerAuditDumping',
      'ProjectEvents',
      'ProjectPrivileges',
      'DEFAULTS',
      'backoffDelay',
    ];
    for (const n of names) {
      expect(esm).toHaveProperty(n);
      expect(cjs).toHaveProperty(n);
    }
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(esm.ProjectEvents).toEqual({
      BOOT: 'boot',
      ERROR: 'error',
      TRADE_OPENED: 'trade_opened',
      TRADE_CLOSED: 'trade_closed',
      UNCLASSIFIED_EVENT: 'unclassified_event',
    });
    expect(esm.ProjectPrivileges).toEqual({
      EXECUTE_TRADE: 'execute_trade',
      POST_MORTEM_ANALYSIS: 'post_mortem_analysis',
      LIVE_MONITORING: 'live_monitoring',
      UTILITIES: 'utilities',
    });
  });

  it('needs only ws at runtime, and hello reports the package version', () => {
    expect(Object.keys(pkg.dependencies)).toEqual(['ws']);
    expect(`${SDK_NAME}@${SDK_VERSION}`).toBe(`${pkg.name}@${pkg.version}`);
    for (const file of ['dist/index.js', 'dist/index.cjs']) {
      const code = readFileSync(join(root, file), 'utf8');
      expect(code).not.toMatch(/(require\(|from )["']@ic-audit\/shared["']/);
    }
  });

  it('npm pack gives a clean tarball: bundles, self-contained types, README', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files).toContain('package.json');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.cjs');
    expect(files).toContain('dist/types/index.d.ts');
    expect(files).toContain('dist/cjs-types/index.d.cts');
    // The Python SDK beside it (client-sdk/python) ships through pip, never in the npm tarball.
    expect(files.filter((f) => f.startsWith('python/'))).toEqual([]);
    expect(
      files.filter(
        (f) =>
          !/^(README\.md|LICENSE|package\.json|dist\/(index\.c?js|types\/.*\.d\.ts|cjs-types\/.*\.d\.cts))$/.test(f),
      ),
    ).toEqual([]);
    for (const f of files.filter((p) => p.includes('types/'))) {
      expect(readFileSync(join(root, f), 'utf8')).not.toContain('@ic-audit/shared');
    }
  });

  it('is ready to publish: license, repository, public access, built before publishing, ws as a caret range', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toBe(readFileSync(join(root, '..', 'LICENSE'), 'utf8'));
    expect(pkg.repository).toMatchObject({ type: 'git', directory: 'client-sdk' });
    expect(pkg.repository!.url).toMatch(/^git\+https:\/\/.+\.git$/);
    expect(pkg.publishConfig?.access).toBe('public');
    expect(pkg.scripts['prepublishOnly']).toMatch(/shared run build && npm run build$/);
    expect(pkg.dependencies['ws']).toMatch(/^\^8\.\d+\.\d+$/);
    for (const dir of ['..', '../shared', '../electron', '../renderer']) {
      expect(JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).license, dir).toBe('MIT');
    }
  });

  it('README options table lists every default with its value', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const tuning = Object.entries(DEFAULTS).filter(
      ([k]) => !['url', 'fastAuditTimeoutMs', 'dumpTimeoutMs', 'dumpHours'].includes(k),
    );
    for (const [key, value] of tuning) expect(readme).toContain(`| \`${key}\` | \`${String(value)}\``);
    expect(readme).toContain(DEFAULTS.url);
    expect(readme).toContain(`fastAuditTimeoutMs\` = ${DEFAULTS.fastAuditTimeoutMs}`);
    expect(readme).toContain(`dumpTimeoutMs\` = ${DEFAULTS.dumpTimeoutMs}`);
  });
});

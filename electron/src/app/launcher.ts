import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** How `npm start` will run the console. */
export type LaunchPlan = { mode: 'electron'; binary: string } | { mode: 'headless'; reason: string };

/** Environment knobs of the launcher (also used by its tests). */
export const LAUNCH_ENV = {
  /** Path of the Electron binary to use; `none` means "not installed". */
  binary: 'IC_AUDIT_ELECTRON',
  /** Script that fetches the Electron runtime (default: electron's own install.js). */
  installer: 'IC_AUDIT_ELECTRON_INSTALLER',
  /** `1` forces headless mode. */
  headless: 'IC_AUDIT_HEADLESS',
} as const;

/** Where the electron npm package is, or null when it is not installed. */
function electronPackageDir(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** Path of the Electron runtime binary when it is downloaded, else null. Never downloads. */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = env[LAUNCH_ENV.binary];
  if (forced !== undefined) return forced !== 'none' && existsSync(forced) ? forced : null;
  const dir = electronPackageDir();
  if (dir === null) return null;
  try {
    const bin = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Runs Electron's own installer once (it downloads the runtime); returns null on success or why it failed. */
export function tryInstallElectron(env: NodeJS.ProcessEnv = process.env, timeoutMs = 120_000): string | null {
  const script =
    env[LAUNCH_ENV.installer] ?? (electronPackageDir() === null ? null : join(electronPackageDir()!, 'install.js'));
  if (script === null) return 'the electron package is not installed';
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: timeoutMs, env });
  if (r.status === 0) return null;
  const last = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').filter(Boolean);
  const why = last.find((l) => /Error|error/.test(l)) ?? last.at(-1) ?? `exit ${r.status ?? r.signal}`;
  return why.trim().slice(0, 200);
}

/** True when a graphical session is reachable (always on Windows and macOS). */
export function hasDisplay(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/**
 * Decides how to run: Electron when a display and the runtime exist (fetching the runtime once if missing),
 * otherwise headless with the reason. The main job always runs.
 */
export function planLaunch(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  install: (env: NodeJS.ProcessEnv) => string | null = tryInstallElectron,
): LaunchPlan {
  if (env[LAUNCH_ENV.headless] === '1') return { mode: 'headless', reason: `${LAUNCH_ENV.headless}=1` };
  if (!hasDisplay(env, platform))
    return { mode: 'headless', reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  let binary = findElectronBinary(env);
  if (binary === null) {
    const failure = install(env);
    binary = failure === null ? findElectronBinary(env) : null;
    if (binary === null) {
      return {
        mode: 'headless',
        reason: `the Electron runtime is not installed and could not be fetched (${failure ?? 'not found after install'})`,
      };
    }
  }
  return { mode: 'electron', binary };
}

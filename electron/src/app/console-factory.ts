import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createConsoleServer } from '../console/index.js';
import type { ConsoleFactory } from './running.js';

/** Env override for where the built renderer lives. */
export const RENDERER_DIR_ENV = 'IC_AUDIT_RENDERER_DIR';

/** The built renderer: $IC_AUDIT_RENDERER_DIR, the packaged app's resources, or renderer/dist in the repo. */
export function rendererDir(env: NodeJS.ProcessEnv = process.env): string {
  const resources = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const candidates = [
    env[RENDERER_DIR_ENV],
    resources === undefined ? undefined : join(resources, 'renderer'),
    resolve(import.meta.dirname, '../../../renderer/dist'),
  ];
  for (const dir of candidates) if (dir !== undefined && existsSync(join(dir, 'index.html'))) return dir;
  return resolve(import.meta.dirname, '../../../renderer/dist');
}

/** Builds the console routes (UI, /api, /console) for a collector. */
export const makeConsole: ConsoleFactory = (collector, token) =>
  createConsoleServer({ api: collector, token, rendererDir: rendererDir() });

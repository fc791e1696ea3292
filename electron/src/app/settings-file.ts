import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, type ConfigFlags } from '../settings/config.js';
import { SERVE_OPTIONS, serveFlags } from './cli-args.js';

/** The desktop app's settings file, in the config folder (`~/.config/ic-audit/` or `$IC_AUDIT_CONFIG_DIR`). */
export const SETTINGS_FILE = 'settings.json';

/** What a fresh settings file holds: every setting off, so the defaults apply (the app writes it on first open). */
export const SETTINGS_TEMPLATE = '{\n}\n';

/** The settings file in `configDir`. */
export function settingsPath(configDir: string): string {
  return join(configDir, SETTINGS_FILE);
}

/**
 * Reads the desktop app's settings: a JSON object whose keys are `ic-audit serve`'s flags without the dashes
 * (`{"host": "0.0.0.0", "tls-cert": "/etc/ic-audit/cert.pem", "tls-key": "...", "ingest-token": "..."}`), so the
 * desktop app and the CLI share one vocabulary. A missing file is no settings; anything malformed is a ConfigError
 * naming the file and the key, never silently ignored.
 */
export function readSettingsFile(file: string): ConfigFlags {
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`settings file ${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`settings file ${file}: expected a JSON object of serve flags, like {"port": 9324}`);
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const option = (SERVE_OPTIONS as Record<string, { type: 'string' | 'boolean' }>)[key];
    if (option === undefined) {
      throw new ConfigError(
        `settings file ${file}: unknown setting "${key}" (known: ${Object.keys(SERVE_OPTIONS).join(', ')})`,
      );
    }
    if (option.type === 'boolean') {
      if (typeof value !== 'boolean') throw new ConfigError(`settings file ${file}: "${key}" must be true or false`);
      values[key] = value;
    } else {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ConfigError(`settings file ${file}: "${key}" must be a string or a number`);
      }
      values[key] = String(value);
    }
  }
  return serveFlags(values);
}

/** Settings from the file under those of the command line: a flag given on the command line wins. */
export function withSettings(file: ConfigFlags, cli: ConfigFlags): ConfigFlags {
  const out: Record<string, unknown> = { ...file };
  for (const [key, value] of Object.entries(cli)) if (value !== undefined) out[key] = value;
  return out;
}

/** Creates the settings file from the template when it does not exist yet (owner-only: it may hold a token). */
export function ensureSettingsFile(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, SETTINGS_TEMPLATE, { mode: 0o600, flag: 'wx' });
  }
  return file;
}

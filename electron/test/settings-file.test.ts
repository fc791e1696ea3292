/** The desktop app's settings file: serve's flags as JSON, under the command line, refused loudly when wrong. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServeFlags } from '../src/app/cli-args.js';
import { ensureSettingsFile, readSettingsFile, settingsPath, withSettings } from '../src/app/settings-file.js';
import { ConfigError, resolveConfig } from '../src/settings/config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(content: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'ic-settings-'));
  dirs.push(dir);
  const f = settingsPath(dir);
  if (content !== null) writeFileSync(f, content);
  return f;
}

describe('settings file', () => {
  it('gives the desktop app TLS, host and token settings; the command line wins over it', () => {
    const f = file(
      JSON.stringify({
        host: '0.0.0.0',
        port: 9400,
        'tls-cert': '/etc/ic-audit/cert.pem',
        'tls-key': '/etc/ic-audit/key.pem',
        'ingest-token': 'secret-token-1234',
        'allow-plaintext': false,
      }),
    );
    const flags = withSettings(readSettingsFile(f), parseServeFlags(['--port', '9500']));
    const config = resolveConfig(flags, {});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9500,
      tlsCert: '/etc/ic-audit/cert.pem',
      tlsKey: '/etc/ic-audit/key.pem',
      ingestToken: 'secret-token-1234',
      allowPlaintext: false,
    });
  });

  it('no file means no settings; a fresh one is created owner-only and reads as no settings', () => {
    const f = file(null);
    expect(readSettingsFile(f)).toEqual({});
    expect(ensureSettingsFile(f)).toBe(f);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(readSettingsFile(f)).toEqual(readSettingsFile(file('{}')));
  });

  it('refuses bad JSON, unknown settings and wrong types, naming the file and the key', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"host": ', /not valid JSON/],
      ['["--host"]', /expected a JSON object/],
      ['{"tls_cert": "x"}', /unknown setting "tls_cert" \(known: host, port/],
      ['{"allow-plaintext": "yes"}', /"allow-plaintext" must be true or false/],
      ['{"port": [9324]}', /"port" must be a string or a number/],
    ];
    for (const [content, message] of cases) {
      const f = file(content);
      expect(() => readSettingsFile(f)).toThrow(ConfigError);
      expect(() => readSettingsFile(f)).toThrow(message);
      expect(() => readSettingsFile(f)).toThrow(f);
    }
  });
});

/** Collector settings: defaults, flags over env over defaults, every refusal and its message, loopback rules. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST, DEFAULT_PORT } from '@ic-audit/shared';
import {
  ConfigError,
  DEFAULTS,
  ENV,
  isLoopback,
  plaintextWarning,
  resolveConfig,
  type CollectorConfig,
  type ConfigFlags,
} from '../src/settings/config.js';

/** The ConfigError a setting is refused with (fails when it is accepted or something else is thrown). */
function refusal(flags: ConfigFlags, env: Record<string, string> = {}): ConfigError {
  try {
    resolveConfig(flags, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('E_CONFIG');
    return err as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(flags)} ${JSON.stringify(env)}`);
}

/** A non-loopback bind that passes every other check. */
const REMOTE = { host: '10.0.0.5', ingestToken: 'secret', allowPlaintext: true } as const;

describe('resolveConfig', () => {
  it('with nothing given: the defaults, a loopback bind, the home data dir', () => {
    const c = resolveConfig({}, {});
    expect(c).toEqual({ ...DEFAULTS });
    expect(c.host).toBe(DEFAULT_HOST);
    expect(c.port).toBe(DEFAULT_PORT);
    expect(c.dataDir).toBe(join(homedir(), '.ic-audit'));
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
  });

  it('env over defaults, flags over env, overrides over both', () => {
    const env = {
      [ENV.host]: 'localhost',
      [ENV.port]: '7000',
      [ENV.dataDir]: '/tmp/env-home',
      [ENV.ingestToken]: 'env-token',
      [ENV.headInterval]: '2.5',
      [ENV.keyFile]: '/tmp/env.pem',
    };
    const fromEnv = resolveConfig({}, env);
    expect([fromEnv.host, fromEnv.port, fromEnv.dataDir, fromEnv.ingestToken]).toEqual([
      'localhost',
      7000,
      '/tmp/env-home',
      'env-token',
    ]);
    expect([fromEnv.headIntervalMs, fromEnv.keyFile]).toEqual([2500, '/tmp/env.pem']);
    const fromFlags = resolveConfig(
      { host: '127.0.0.2', port: 7001, dataDir: '/tmp/flag-home', ingestToken: 'flag-token', headInterval: '1' },
      env,
    );
    expect([fromFlags.host, fromFlags.port, fromFlags.dataDir, fromFlags.ingestToken]).toEqual([
      '127.0.0.2',
      7001,
      '/tmp/flag-home',
      'flag-token',
    ]);
    expect(fromFlags.headIntervalMs).toBe(1000);
    const over = resolveConfig({ port: 7001 }, env, { port: 0, recentWindow: 5, dataDir: 'rel/dir' });
    expect([over.port, over.recentWindow, over.dataDir]).toEqual([0, 5, resolve('rel/dir')]);
  });

  it('paths: ~/ is the home folder, relative paths become absolute, empty means unset', () => {
    const c = resolveConfig(
      {
        dataDir: '~/audit',
        keyFile: '~/k.pem',
        witnessFile: 'w.log',
        legacyDumpDir: '~/dumps',
        tlsCert: '',
        tlsKey: '',
      },
      {},
    );
    expect(c.dataDir).toBe(join(homedir(), 'audit'));
    expect(c.keyFile).toBe(join(homedir(), 'k.pem'));
    expect(c.witnessFile).toBe(resolve('w.log'));
    expect(c.legacyDumpDir).toBe(join(homedir(), 'dumps'));
    expect([c.tlsCert, c.tlsKey]).toEqual([null, null]);
    const empty = resolveConfig({}, { [ENV.keyFile]: '', [ENV.legacyDumpDir]: '', [ENV.ingestToken]: '' });
    expect([empty.keyFile, empty.legacyDumpDir, empty.ingestToken]).toEqual([null, null, null]);
    expect(resolveConfig({ ingestToken: '' }, { [ENV.ingestToken]: 'env' }).ingestToken).toBeNull();
  });

  it('ports 0 and 65535 are taken; -1, 65536, fractions and words are refused, quoting what was given', () => {
    expect(resolveConfig({ port: 0 }, {}).port).toBe(0);
    expect(resolveConfig({ port: '65535' }, {}).port).toBe(65535);
    for (const [given, shown] of [
      [-1, '"-1"'],
      ['65536', '"65536"'],
      ['80.5', '"80.5"'],
      ['http', '"http"'],
    ] as const) {
      expect(refusal({ port: given }).message).toBe(`port must be an integer 0-65535, got ${shown}`);
    }
    expect(refusal({}, { [ENV.port]: 'x' }).message).toMatch(/^port must be an integer 0-65535, got "x"$/);
  });

  // An empty variable is unset (Number('') would be port 0, a random port where no bot finds the collector).
  it('an empty IC_AUDIT_PORT means the default port (or is refused), not a random one', () => {
    let port: number | 'refused';
    try {
      port = resolveConfig({}, { [ENV.port]: '' }).port;
    } catch {
      port = 'refused';
    }
    expect([DEFAULT_PORT, 'refused']).toContain(port);
  });

  it('every empty variable is unset, and an empty --host, --port or --data-dir is refused', () => {
    const empty = Object.fromEntries(Object.values(ENV).map((name) => [name, '']));
    expect(resolveConfig({}, empty)).toEqual(resolveConfig({}, {}));
    for (const [flags, flag] of [
      [{ host: '' }, '--host'],
      [{ port: '' }, '--port'],
      [{ dataDir: '' }, '--data-dir'],
    ] as const) {
      expect(() => resolveConfig(flags, {})).toThrow(`${flag} needs a value`);
    }
  });

  it('head interval: 0.05 s and 3600 s are the bounds; beyond either, zero, empty or a word is refused', () => {
    expect(resolveConfig({ headInterval: '0.05' }, {}).headIntervalMs).toBe(50);
    expect(resolveConfig({ headInterval: '3600' }, {}).headIntervalMs).toBe(3_600_000);
    for (const bad of ['0.04', '3600.01', '0', '', 'soon', '-5']) {
      expect(refusal({ headInterval: bad }).message).toBe(
        `--head-interval must be seconds between 0.05 and 3600, got ${JSON.stringify(bad)}`,
      );
    }
    expect(refusal({}, { [ENV.headInterval]: '7200' }).message).toMatch(/got "7200"$/);
  });

  it('TLS needs both the certificate and the key; a client CA needs them too', () => {
    const pair = `TLS needs both --tls-cert and --tls-key (or ${ENV.tlsCert} and ${ENV.tlsKey})`;
    expect(refusal({ tlsCert: '/c.pem' }).message).toBe(pair);
    expect(refusal({ tlsKey: '/k.pem' }).message).toBe(pair);
    expect(refusal({}, { [ENV.tlsCert]: '/c.pem' }).message).toBe(pair);
    expect(refusal({ tlsClientCa: '/ca.pem' }).message).toBe('--tls-client-ca needs --tls-cert and --tls-key');
    const c = resolveConfig({}, { [ENV.tlsCert]: 'c.pem', [ENV.tlsKey]: '/k.pem', [ENV.tlsClientCa]: '~/ca.pem' });
    expect([c.tlsCert, c.tlsKey, c.tlsClientCa]).toEqual([resolve('c.pem'), '/k.pem', join(homedir(), 'ca.pem')]);
  });

  it('a non-loopback bind needs an ingest token or client certificates, then TLS or --allow-plaintext', () => {
    expect(refusal({ host: '0.0.0.0' }).message).toBe(
      'refusing to listen on 0.0.0.0 without an ingest token: anyone on the network could write the audit trail. ' +
        `Set --ingest-token (or ${ENV.ingestToken}), require client certificates (--tls-client-ca), or bind 127.0.0.1.`,
    );
    expect(refusal({ host: '0.0.0.0', ingestToken: '' }).message).toMatch(/without an ingest token/);
    expect(refusal({ host: '10.0.0.5', ingestToken: 't' }).message).toBe(
      'refusing to listen on 10.0.0.5 without TLS: the ingest token, the console token and every trade would cross the ' +
        'network in cleartext. Give --tls-cert FILE --tls-key FILE (docs/security.md), or --allow-plaintext to accept that.',
    );
    // Client certificates stand in for the token; TLS for --allow-plaintext.
    expect(resolveConfig({ host: '10.0.0.5', tlsCert: '/c', tlsKey: '/k', tlsClientCa: '/ca' }, {}).ingestToken).toBe(
      null,
    );
    expect(resolveConfig({ host: '10.0.0.5', ingestToken: 't', tlsCert: '/c', tlsKey: '/k' }, {}).host).toBe(
      '10.0.0.5',
    );
    expect(resolveConfig(REMOTE, {}).allowPlaintext).toBe(true);
    // A loopback bind needs neither.
    for (const host of ['localhost', '127.9.9.9', '::1', '[::1]']) expect(resolveConfig({ host }, {}).host).toBe(host);
  });

  it('--allow-plaintext from env takes 1, true or yes only; the flag overrides the env either way', () => {
    for (const yes of ['1', 'true', 'yes']) {
      expect(resolveConfig({ host: '10.0.0.5', ingestToken: 't' }, { [ENV.allowPlaintext]: yes }).allowPlaintext).toBe(
        true,
      );
    }
    for (const no of ['0', 'no', 'TRUE', 'on', '']) {
      expect(refusal({ host: '10.0.0.5', ingestToken: 't' }, { [ENV.allowPlaintext]: no }).message).toMatch(
        /without TLS/,
      );
    }
    expect(
      refusal({ host: '10.0.0.5', ingestToken: 't', allowPlaintext: false }, { [ENV.allowPlaintext]: '1' }).message,
    ).toMatch(/without TLS/);
  });

  it('NATS: a bad server URL or replica count is refused with its message; --console-only needs --nats', () => {
    expect(refusal({ nats: 'http://x:1' }).message).toBe('--nats: "http://x:1" is not a NATS URL (nats://host:4222)');
    expect(refusal({ nats: 'nats://a:1', natsReplicas: '0' }).message).toBe('--nats-replicas must be 1-5, got "0"');
    expect(resolveConfig({ nats: 'h:4222', natsReplicas: '5' }, {}).nats?.replicas).toBe(5);
    expect(refusal({ consoleOnly: true }).message).toBe(
      `--console-only reads the NATS stream: give --nats URL (or ${ENV.nats})`,
    );
    expect(refusal({}, { [ENV.consoleOnly]: 'yes' }).message).toMatch(/--console-only/);
    expect(resolveConfig({ consoleOnly: false }, { [ENV.consoleOnly]: '1' }).consoleOnly).toBe(false);
    expect(resolveConfig({ nats: '  ' }, {}).nats).toBeNull();
  });

  it('refusals come in a fixed order: the port before TLS, TLS before the token rule, the token before plaintext', () => {
    expect(refusal({ port: 'x', tlsCert: '/c' }).message).toMatch(/^port/);
    expect(refusal({ host: '10.0.0.5', tlsKey: '/k' }).message).toMatch(/^TLS needs both/);
    expect(refusal({ host: '10.0.0.5' }).message).toMatch(/without an ingest token/);
  });
});

describe('isLoopback', () => {
  it('only localhost, 127.x.y.z and ::1 are loopback', () => {
    for (const host of ['localhost', '127.0.0.1', '127.255.255.255', '127.0.0.9', '::1', '[::1]']) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of [
      '0.0.0.0',
      '::',
      '',
      '10.0.0.1',
      '128.0.0.1',
      '127.0.0.1.evil.example',
      'x127.0.0.1',
      '127.1',
      'localhost.example',
      '::ffff:127.0.0.1',
    ]) {
      expect(isLoopback(host), host).toBe(false);
    }
  });
});

describe('plaintextWarning', () => {
  it('warns only for a non-loopback bind without TLS, naming the host', () => {
    const at = (host: string, tlsCert: string | null): Pick<CollectorConfig, 'host' | 'tlsCert'> => ({ host, tlsCert });
    expect(plaintextWarning(at('10.0.0.5', null))).toBe(
      'plaintext on 10.0.0.5 (--allow-plaintext): the ingest token, the console token and every event cross the ' +
        'network unencrypted; give --tls-cert and --tls-key (docs/security.md)',
    );
    expect(plaintextWarning(at('10.0.0.5', '/c.pem'))).toBeNull();
    expect(plaintextWarning(at('127.0.0.1', null))).toBeNull();
    expect(plaintextWarning(resolveConfig(REMOTE, {}))).toMatch(/^plaintext on 10\.0\.0\.5 /);
  });
});

/** NATS mode settings from flags and env: off by default, server list parsing, replicas, compression and stream name limits. */
import { describe, expect, it } from 'vitest';
import { NATS_DEFAULTS, natsConfigFrom } from '../src/settings/nats-config.js';

describe('natsConfigFrom', () => {
  it('off (null) when no server list is given, or only blanks', () => {
    expect(natsConfigFrom({}, {})).toBeNull();
    expect(natsConfigFrom({ nats: '' }, { IC_AUDIT_NATS: 'nats://env:1' })).toBeNull();
    expect(natsConfigFrom({}, { IC_AUDIT_NATS: ' \t ' })).toBeNull();
  });

  it('defaults: the IC_AUDIT stream, 3 replicas, no credentials or CA', () => {
    expect(natsConfigFrom({ nats: 'nats://a:4222' }, {})).toEqual({
      servers: ['nats://a:4222'],
      creds: null,
      ca: null,
      stream: NATS_DEFAULTS.stream,
      replicas: NATS_DEFAULTS.replicas,
      compress: 'on',
    });
  });

  it('a comma-separated list, trimmed, empty items dropped; every URL form the client takes', () => {
    const servers = 'nats://a:1, tls://b:2 ,,ws://c:3,wss://d:4,nats://u:p@e:5,f.example-1:4222,';
    expect((natsConfigFrom({ nats: servers }, {}) as { servers: string[] }).servers).toEqual([
      'nats://a:1',
      'tls://b:2',
      'ws://c:3',
      'wss://d:4',
      'nats://u:p@e:5',
      'f.example-1:4222',
    ]);
  });

  it('names the first item that is not a NATS URL', () => {
    for (const bad of ['http://a:1', 'nats://', 'a', 'a:b', 'nats:/a:1', 'nats://a b:1']) {
      expect(natsConfigFrom({ nats: `nats://ok:1,${bad},also-bad` }, {}), bad).toBe(
        `--nats: ${JSON.stringify(bad)} is not a NATS URL (nats://host:4222)`,
      );
    }
  });

  it('replicas 1 to 5; anything else is refused, quoting it', () => {
    expect((natsConfigFrom({ nats: 'h:1', natsReplicas: '1' }, {}) as { replicas: number }).replicas).toBe(1);
    expect((natsConfigFrom({ nats: 'h:1' }, { IC_AUDIT_NATS_REPLICAS: '5' }) as { replicas: number }).replicas).toBe(5);
    for (const bad of ['0', '6', '2.5', 'three', '', '-1']) {
      expect(natsConfigFrom({ nats: 'h:1', natsReplicas: bad }, {})).toBe(
        `--nats-replicas must be 1-5, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('--nats-compress on (default) or off; the flag over the env; anything else is refused, quoting it', () => {
    const compress = (flags: object, env: Record<string, string> = {}) =>
      (natsConfigFrom({ nats: 'h:1', ...flags }, env) as { compress: string }).compress;
    expect(compress({})).toBe('on');
    expect(compress({ natsCompress: 'off' })).toBe('off');
    expect(compress({}, { IC_AUDIT_NATS_COMPRESS: 'off' })).toBe('off');
    expect(compress({ natsCompress: 'on' }, { IC_AUDIT_NATS_COMPRESS: 'off' })).toBe('on'); // the flag wins
    for (const bad of ['', 'auto', 'yes', 'ON', 'br']) {
      expect(natsConfigFrom({ nats: 'h:1', natsCompress: bad }, {})).toBe(
        `--nats-compress must be on or off, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('stream names of 1 to 64 letters, digits, _ and -', () => {
    const max = 'S'.repeat(64);
    expect((natsConfigFrom({ nats: 'h:1', natsStream: max }, {}) as { stream: string }).stream).toBe(max);
    expect((natsConfigFrom({ nats: 'h:1' }, { IC_AUDIT_NATS_STREAM: 'a_b-C9' }) as { stream: string }).stream).toBe(
      'a_b-C9',
    );
    for (const bad of ['S'.repeat(65), '', 'a.b', 'a b', 'a*', 'é']) {
      expect(natsConfigFrom({ nats: 'h:1', natsStream: bad }, {})).toBe(
        `--nats-stream must be 1-64 of A-Z a-z 0-9 _ -, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('flags win over env for every setting; empty credential paths mean none', () => {
    const env = {
      IC_AUDIT_NATS: 'nats://env:1',
      IC_AUDIT_NATS_CREDS: '/env.creds',
      IC_AUDIT_NATS_CA: '/env-ca.pem',
      IC_AUDIT_NATS_STREAM: 'ENV',
      IC_AUDIT_NATS_REPLICAS: '1',
      IC_AUDIT_NATS_COMPRESS: 'off',
    };
    expect(natsConfigFrom({}, env)).toEqual({
      servers: ['nats://env:1'],
      creds: '/env.creds',
      ca: '/env-ca.pem',
      stream: 'ENV',
      replicas: 1,
      compress: 'off',
    });
    expect(
      natsConfigFrom(
        {
          nats: 'nats://flag:2',
          natsCreds: '',
          natsCa: '/f.pem',
          natsStream: 'FLAG',
          natsReplicas: '5',
          natsCompress: 'on',
        },
        env,
      ),
    ).toEqual({ servers: ['nats://flag:2'], creds: null, ca: '/f.pem', stream: 'FLAG', replicas: 5, compress: 'on' });
  });
});

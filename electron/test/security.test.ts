/** Request checks of the HTTP server: own Host names and Origins, token comparison, and where a token is read from. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  hostAllowed,
  originAllowed,
  ownHosts,
  presentedToken,
  TOKEN_COOKIE,
  tokenEquals,
} from '../src/server/security.js';

/** A request carrying only these headers (all presentedToken reads). */
const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;
const URL0 = new URL('http://127.0.0.1:9324/');

describe('ownHosts', () => {
  it('the loopback names and the bind address, each with the port', () => {
    expect([...ownHosts('127.0.0.1', 9324)].sort()).toEqual(['127.0.0.1:9324', '[::1]:9324', 'localhost:9324']);
    expect(ownHosts('10.0.0.5', 1).has('10.0.0.5:1')).toBe(true);
    expect(ownHosts('fe80::1', 1).has('[fe80::1]:1')).toBe(true);
    expect(ownHosts('::1', 1).size).toBe(3);
  });

  it('a wildcard bind adds no name of its own', () => {
    expect(ownHosts('0.0.0.0', 5).size).toBe(3);
    expect(ownHosts('::', 5).size).toBe(3);
  });
});

describe('hostAllowed', () => {
  const hosts = ownHosts('audit.example', 9324);

  it('own names with the port, in any case; nothing else', () => {
    for (const h of ['127.0.0.1:9324', 'LOCALHOST:9324', '[::1]:9324', 'audit.example:9324']) {
      expect(hostAllowed(h, hosts), h).toBe(true);
    }
    for (const h of [undefined, '', '127.0.0.1', '127.0.0.1:9325', 'evil.example:9324', 'audit.example.evil:9324']) {
      expect(hostAllowed(h, hosts), String(h)).toBe(false);
    }
  });

  // A collector bound to a name with capitals (--host Audit.Example) accepts its own name (Host is lower-cased).
  it('a bind name with capitals is matched case-insensitively too', () => {
    expect(hostAllowed('audit.example:9324', ownHosts('Audit.Example', 9324))).toBe(true);
  });

  // Browsers leave the scheme's default port out of Host (and Origin): a console on 443 with TLS, or 80 without.
  it('a console on the default port accepts a Host without the port', () => {
    expect(hostAllowed('audit.example', ownHosts('audit.example', 443, true))).toBe(true);
    expect(hostAllowed('audit.example', ownHosts('audit.example', 80))).toBe(true);
    expect(originAllowed('https://audit.example', ownHosts('audit.example', 443, true), true)).toBe(true);
    // Not on another port, and not the other scheme's default.
    expect(hostAllowed('audit.example', ownHosts('audit.example', 9324))).toBe(false);
    expect(hostAllowed('audit.example', ownHosts('audit.example', 443))).toBe(false);
  });
});

describe('originAllowed', () => {
  const hosts = ownHosts('127.0.0.1', 9324);

  it('no Origin (not a browser) passes; a browser only from the console itself', () => {
    expect(originAllowed(undefined, hosts)).toBe(true);
    expect(originAllowed('http://127.0.0.1:9324', hosts)).toBe(true);
    expect(originAllowed('http://LocalHost:9324', hosts)).toBe(true);
    for (const o of [
      'http://evil.example',
      'http://127.0.0.1:9325',
      'http://127.0.0.1:9324/',
      'http://127.0.0.1:9324/path',
      'null',
      '',
      'file://',
      'https://127.0.0.1:9324',
      'ws://127.0.0.1:9324',
    ]) {
      expect(originAllowed(o, hosts), o).toBe(false);
    }
  });

  it('on a TLS port the own origin is https:// and an http:// page of the same host is refused', () => {
    expect(originAllowed('https://127.0.0.1:9324', hosts, true)).toBe(true);
    expect(originAllowed('http://127.0.0.1:9324', hosts, true)).toBe(false);
  });
});

describe('tokenEquals', () => {
  it('equal strings only; a missing token never matches, not even an empty expected one', () => {
    expect(tokenEquals('abc', 'abc')).toBe(true);
    expect(tokenEquals('€', '€')).toBe(true);
    for (const given of ['abd', 'ab', 'abcd', 'ABC', '', ' abc']) expect(tokenEquals(given, 'abc'), given).toBe(false);
    expect(tokenEquals(null, 'abc')).toBe(false);
    expect(tokenEquals(undefined, '')).toBe(false);
    expect(tokenEquals('', '')).toBe(true);
  });
});

describe('presentedToken', () => {
  it('reads ?token=, then Authorization: Bearer, then X-IC-Audit-Token, then the console cookie', () => {
    const all = {
      authorization: 'Bearer  b-token ',
      'x-ic-audit-token': 'x-token',
      cookie: `${TOKEN_COOKIE}=c-token`,
    };
    expect(presentedToken(req(all), new URL('http://h/?token=q-token'))).toBe('q-token');
    expect(presentedToken(req(all), URL0)).toBe('b-token');
    const { authorization: _a, ...noAuth } = all;
    expect(presentedToken(req(noAuth), URL0)).toBe('x-token');
    const { 'x-ic-audit-token': _x, ...cookieOnly } = noAuth;
    expect(presentedToken(req(cookieOnly), URL0)).toBe('c-token');
    expect(presentedToken(req({}), URL0)).toBeNull();
  });

  it('an empty ?token= is presented as empty; an Authorization that is not Bearer is ignored', () => {
    expect(presentedToken(req({ authorization: 'Bearer t' }), new URL('http://h/?token='))).toBe('');
    expect(presentedToken(req({ authorization: 'Basic dTpw' }), URL0)).toBeNull();
    expect(presentedToken(req({ authorization: 'Basic dTpw', 'x-ic-audit-token': 'x' }), URL0)).toBe('x');
  });

  it('finds the cookie among others, decoding it and keeping any = inside', () => {
    const cookie = `a=1; other_${TOKEN_COOKIE}=no;  ${TOKEN_COOKIE}=t%2Bk%3D=x ; z=2`;
    expect(presentedToken(req({ cookie }), URL0)).toBe('t+k==x');
    expect(presentedToken(req({ cookie: 'a=1; b=2' }), URL0)).toBeNull();
  });

  // A malformed cookie once threw from decodeURIComponent, and on the WebSocket upgrade path that stopped the
  // collector (http-security.test.ts has the end-to-end case).
  it('a malformed cookie is no token, not an exception', () => {
    expect(presentedToken(req({ cookie: `${TOKEN_COOKIE}=%E0%A4%A` }), URL0)).toBeNull();
  });
});

/** The console's Content-Security-Policy: its own WebSocket origin named exactly, ws:// or wss:// as served. */
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { consoleCsp, securityHeaders } from '../src/console/csp.js';

const req = (host: string, encrypted: boolean): http.IncomingMessage =>
  ({ headers: { host }, socket: encrypted ? { encrypted: true } : {} }) as unknown as http.IncomingMessage;

describe('console CSP', () => {
  it('names the WebSocket origin of the scheme the page came over', () => {
    expect(consoleCsp('127.0.0.1:9324')).toContain("connect-src 'self' ws://127.0.0.1:9324;");
    expect(consoleCsp('audit.example:9324', true)).toContain("connect-src 'self' wss://audit.example:9324;");
  });
  it('takes the scheme from the request socket: TLS means wss://', () => {
    expect(securityHeaders(req('a:1', true))['Content-Security-Policy']).toContain('wss://a:1');
    expect(securityHeaders(req('a:1', false))['Content-Security-Policy']).toContain(' ws://a:1');
    expect(securityHeaders(req('a:1', false))['Content-Security-Policy']).toContain("script-src 'self'");
  });
});

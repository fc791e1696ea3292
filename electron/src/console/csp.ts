import type http from 'node:http';

/**
 * Content-Security-Policy of every console page. `connect-src` names the exact WebSocket origin because 'self'
 * does not cover ws: in every browser; the host comes from the request, which the HTTP server already checked.
 */
export function consoleCsp(host: string, secure = false): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${secure ? 'wss' : 'ws'}://${host}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every console response carries (pages, assets, API answers). */
export function securityHeaders(req: http.IncomingMessage): Record<string, string> {
  return {
    // A TLS socket means the page was served over https: its WebSocket is wss://.
    'Content-Security-Policy': consoleCsp(req.headers.host ?? '127.0.0.1', 'encrypted' in req.socket),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
